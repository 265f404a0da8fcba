//! The one integration test binary (see STYLE.md §9).

mod probe;
