"""What people look at: the browser app, incident maps and printed situation maps."""
