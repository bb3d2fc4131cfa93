"""Importing incoming production volumes (DAT/OPT load files, page images, text, natives) as documents."""
