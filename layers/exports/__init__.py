"""An assessment in the file formats a bureau passes on: Shapefile, KML, XLSX, CSV, DOCX."""
