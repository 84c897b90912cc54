"""A layer pack built from the files a bureau has, and the validation report of any pack."""
