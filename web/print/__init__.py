"""The printed situation map (PDF): page layout, map layers, legend panel and fonts."""
