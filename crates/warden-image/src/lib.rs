//! Image sources turned into a layered filesystem view, read once and streamed.
