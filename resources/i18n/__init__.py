"""Qt translations: the .ts/.qm files and the table that fills them."""
