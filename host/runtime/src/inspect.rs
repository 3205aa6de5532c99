//! What a component is: its header, the worlds it satisfies, what it
//! imports and exports. Used to validate uploads and to pick bindings.

use crate::error::{Error, Result};
use serde::Serialize;
use wasmjob_vocab::World;
use wasmtime::Engine;
use wasmtime::component::Component;
use wasmtime::component::types::{ComponentExtern, ComponentItem};

/// A description of a loaded component, as an upload form or the API
/// shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ComponentInfo {
    /// sha256 of the component's bytes.
    pub digest: String,
    /// Size of the component in bytes.
    pub size: usize,
    /// The processor worlds the component satisfies.
    pub worlds: Vec<World>,
    /// The names of the instances and functions it imports.
    pub imports: Vec<String>,
    /// The names of what it exports.
    pub exports: Vec<String>,
}

impl ComponentInfo {
    /// Whether the component satisfies `world`.
    pub fn satisfies(&self, world: World) -> bool {
        self.worlds.contains(&world)
    }
}

/// Refuses bytes that are not a WebAssembly component, naming what they
/// are instead.
pub(crate) fn check_header(bytes: &[u8]) -> Result<()> {
    const MAGIC: &[u8] = b"\0asm";
    if bytes.len() < 8 || &bytes[..4] != MAGIC {
        return Err(Error::NotWasm);
    }
    // Core modules carry version 1 and layer 0; components layer 1.
    match bytes[6..8] {
        [1, 0] => Ok(()),
        [0, 0] => Err(Error::CoreModule),
        _ => Err(Error::Invalid("unknown WebAssembly binary layer".into())),
    }
}

/// The top-level import and export names of a component.
pub(crate) fn item_names(component: &Component, engine: &Engine) -> (Vec<String>, Vec<String>) {
    let ty = component.component_type();
    // Type and resource imports (what a world `use`s) are not capabilities.
    let named = |(name, item): (&str, ComponentExtern<'_>)| {
        let is_type = matches!(item.ty, ComponentItem::Type(_) | ComponentItem::Resource(_));
        (!is_type).then(|| name.to_string())
    };
    let imports = ty.imports(engine).filter_map(named).collect();
    let exports = ty.exports(engine).filter_map(named).collect();
    (imports, exports)
}

/// The exported function names of a component.
pub(crate) fn exported_functions(component: &Component, engine: &Engine) -> Vec<String> {
    component
        .component_type()
        .exports(engine)
        .filter(|(_, item)| matches!(item.ty, ComponentItem::ComponentFunc(_)))
        .map(|(name, _)| name.to_string())
        .collect()
}

/// Why `world` is not satisfied by a component exporting `functions`:
/// the first missing export, named.
pub(crate) fn missing_export(world: World, functions: &[String]) -> Option<String> {
    world
        .required_exports()
        .iter()
        .find(|name| !functions.iter().any(|f| f == *name))
        .map(|name| format!("it does not export the function `{name}` that the `{world}` world requires"))
}

/// The message for a component that satisfies no world.
pub(crate) fn no_world_message(functions: &[String]) -> String {
    let found = if functions.is_empty() {
        "it exports no functions".to_string()
    } else {
        format!("it exports {}", functions.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", "))
    };
    let missing = missing_export(World::Basic, functions)
        .unwrap_or_else(|| "its `process` export has the wrong type".to_string());
    format!("{missing}; {found}. Export a processor with wasmjob-sdk's `export_basic!` (or another kind's macro)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_told_apart() {
        assert!(matches!(check_header(b"hello world"), Err(Error::NotWasm)));
        assert!(matches!(check_header(b"\0asm\x01\0\0\0"), Err(Error::CoreModule)));
        assert!(check_header(b"\0asm\x0d\0\x01\0").is_ok());
    }

    #[test]
    fn missing_exports_are_named() {
        let only_process = vec!["process".to_string()];
        assert_eq!(missing_export(World::Basic, &only_process), None);
        let msg = missing_export(World::MapReduce, &only_process).unwrap();
        assert!(msg.contains("`reduce`"), "{msg}");
        assert!(no_world_message(&[]).contains("`process`"));
    }
}
