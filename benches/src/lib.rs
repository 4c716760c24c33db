//! Benchmarks of kagi's primitives live in `benches/`; this crate holds no code.
