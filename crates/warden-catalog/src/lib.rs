//! Catalogers: one module per ecosystem behind one trait.
