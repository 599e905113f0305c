//! Where credentials and the region come from.
