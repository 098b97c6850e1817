//! Generates the Rust types of `proto/baton.proto` with prost, parsing it with protox (pure
//! Rust: no `protoc` on the machine). Maps are BTreeMaps so the encoding is deterministic.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto/baton.proto");
    let files = protox::compile(["baton.proto"], ["proto"])?;
    let mut config = prost_build::Config::new();
    config.btree_map(["."]);
    config.compile_fds(files)?;
    Ok(())
}
