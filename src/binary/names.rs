//! The `name` custom section, from the text's `$ids` in [`ast::Names`].
//!
//! Subsections in `wat`'s order: module, functions, locals, labels, types, tables, memories, globals,
//! elements, data, fields, tags. A subsection is written only when it has entries; in the indirect maps (locals,
//! labels) a function with no names is skipped.
//!
//! Not written, because [`ast::Names`] has no place for it: `wat`'s parameter-names subsection (id 12,
//! a wasm-tools extension) for `$ids` on the params of a `(type (func (param $x i32)))` definition.

use wasm_encoder as we;

use crate::ast;

/// The name section, or `None` when there are no names at all.
pub(super) fn name_section(names: &ast::Names) -> Option<we::NameSection> {
    let mut s = we::NameSection::new();
    if let Some(module) = &names.module {
        s.module(module);
    }
    if let Some(map) = name_map(pairs(&names.funcs, |i| i.0)) {
        s.functions(&map);
    }
    if let Some(map) = indirect(&names.locals, |l| l.0) {
        s.locals(&map);
    }
    if let Some(map) = indirect(&names.labels, |l| *l) {
        s.labels(&map);
    }
    if let Some(map) = name_map(pairs(&names.types, |i| i.0)) {
        s.types(&map);
    }
    if let Some(map) = name_map(pairs(&names.tables, |i| i.0)) {
        s.tables(&map);
    }
    if let Some(map) = name_map(pairs(&names.memories, |i| i.0)) {
        s.memories(&map);
    }
    if let Some(map) = name_map(pairs(&names.globals, |i| i.0)) {
        s.globals(&map);
    }
    if let Some(map) = name_map(pairs(&names.elems, |i| i.0)) {
        s.elements(&map);
    }
    if let Some(map) = name_map(pairs(&names.datas, |i| i.0)) {
        s.data(&map);
    }
    if !names.fields.is_empty() {
        let mut map = we::IndirectNameMap::new();
        for (ty, fields) in &names.fields {
            if let Some(inner) = name_map(pairs(fields, |i| *i)) {
                map.append(ty.0, &inner);
            }
        }
        s.fields(&map);
    }
    if let Some(map) = name_map(pairs(&names.tags, |i| i.0)) {
        s.tags(&map);
    }
    let empty = names.module.is_none()
        && names.funcs.is_empty()
        && names.locals.is_empty()
        && names.labels.is_empty()
        && names.types.is_empty()
        && names.tables.is_empty()
        && names.memories.is_empty()
        && names.globals.is_empty()
        && names.elems.is_empty()
        && names.datas.is_empty()
        && names.fields.is_empty()
        && names.tags.is_empty();
    (!empty).then_some(s)
}

fn pairs<I: Copy>(entries: &[(I, String)], index: fn(&I) -> u32) -> Vec<(u32, &str)> {
    entries
        .iter()
        .map(|(i, name)| (index(i), name.as_str()))
        .collect()
}

fn name_map(entries: Vec<(u32, &str)>) -> Option<we::NameMap> {
    if entries.is_empty() {
        return None;
    }
    let mut map = we::NameMap::new();
    for (i, name) in entries {
        map.append(i, name);
    }
    Some(map)
}

fn indirect<I: Copy>(
    entries: &[(ast::FuncIdx, Vec<(I, String)>)],
    index: fn(&I) -> u32,
) -> Option<we::IndirectNameMap> {
    if entries.is_empty() {
        return None;
    }
    let mut map = we::IndirectNameMap::new();
    for (func, names) in entries {
        if let Some(inner) = name_map(pairs(names, index)) {
            map.append(func.0, &inner);
        }
    }
    Some(map)
}
