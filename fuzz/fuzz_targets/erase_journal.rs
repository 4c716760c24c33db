#![no_main]
//! Any bytes as an erase journal: never a panic; whatever parses has a plan and a consistent
//! state, and survives a save/parse round trip.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(entry) = erase::journal::Entry::parse(data) {
        let plan = entry.state.plan().expect("a parsed journal has a plan");
        assert!(!plan.passes.is_empty());
        let text = serde_json::to_vec(&entry).expect("serializes");
        erase::journal::Entry::parse(&text).expect("round trip");
    }
});
