"""The only code of reliefgis that opens files, rasters or databases."""
