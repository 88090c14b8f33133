//! The link map: a [`Plan`] as a table, as a one-line picture of linear memory, and as JSON.

use std::fmt::Write;

use super::layout::{PAGE_SIZE, Plan, SegmentKind};

/// One row of the map: a region of memory or a symbol.
struct Row {
    address: u64,
    size: Option<u64>,
    kind: &'static str,
    what: String,
}

impl Plan {
    fn rows(&self) -> Vec<Row> {
        let s = &self.symbols;
        let mut rows = vec![Row {
            address: s.stack_low,
            size: Some(self.stack_size),
            kind: "stack",
            what: format!(
                "__stack_low .. __stack_high = __stack_pointer {}",
                s.stack_high
            ),
        }];
        for seg in &self.segments {
            let what = if seg.output == seg.name {
                seg.name.clone()
            } else {
                format!("{} ({})", seg.name, seg.output)
            };
            rows.push(Row {
                address: seg.address,
                size: Some(seg.size),
                kind: seg.kind.word(),
                what,
            });
        }
        if let Some(flag) = s.init_memory_flag {
            rows.push(Row {
                address: flag,
                size: Some(4),
                kind: "flag",
                what: "__wasm_init_memory_flag".into(),
            });
        }
        rows.push(Row {
            address: s.global_base,
            size: None,
            kind: "symbol",
            what: "__global_base, __dso_handle".into(),
        });
        rows.push(Row {
            address: s.data_end,
            size: None,
            kind: "symbol",
            what: "__data_end".into(),
        });
        if let Some(base) = s.heap_base {
            rows.push(Row {
                address: base,
                size: Some(s.heap_end.saturating_sub(base)),
                kind: "heap",
                what: "__heap_base .. __heap_end".into(),
            });
        }
        rows.push(Row {
            address: s.heap_end,
            size: None,
            kind: "symbol",
            what: "__heap_end (end of initial memory)".into(),
        });
        rows.sort_by_key(|r| (r.address, r.size.is_some()));
        rows
    }

    /// The map as a table: address, size, kind and what lives there, then the memory limits.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{:<12} {:>10}  {:<7} {}\n",
            "address", "size", "kind", "name / symbol"
        );
        for row in self.rows() {
            let size = row.size.map_or(String::new(), |s| s.to_string());
            let _ = writeln!(
                out,
                "{:#010x}   {:>10}  {:<7} {}",
                row.address, size, row.kind, row.what
            );
        }
        let max = self
            .max_pages
            .map_or("none".to_string(), |m| format!("{m} pages"));
        let _ = writeln!(
            out,
            "memory: {} pages initial, maximum {max}{}{}",
            self.min_pages,
            if self.imported { ", imported" } else { "" },
            if self.shared { ", shared" } else { "" }
        );
        out
    }

    /// A proportional picture of the initial memory, `width` characters wide, with a legend:
    /// `S` stack, `r` rodata, `d` data, `b` bss, `f` fixed, `h` heap, `.` unused.
    /// Every non-empty region gets at least one character.
    pub fn picture(&self, width: usize) -> String {
        let width = width.max(8);
        let total = (self.min_pages * PAGE_SIZE).max(1);
        let s = &self.symbols;
        let mut regions: Vec<(u64, u64, char)> = vec![(s.stack_low, s.stack_high, 'S')];
        for seg in &self.segments {
            let c = match seg.kind {
                SegmentKind::ReadOnly => 'r',
                SegmentKind::Writable => 'd',
                SegmentKind::Zero => 'b',
                SegmentKind::Fixed(_) => 'f',
            };
            regions.push((seg.address, seg.end(), c));
        }
        if let Some(base) = s.heap_base {
            regions.push((base, s.heap_end, 'h'));
        }
        regions.retain(|r| r.1 > r.0);
        let col =
            |addr: u64| ((addr as u128 * width as u128 / total as u128) as usize).min(width - 1);
        let mut line = vec!['.'; width];
        let mut best = vec![0u64; width];
        for &(lo, hi, c) in &regions {
            for (i, slot) in line.iter_mut().enumerate() {
                let a = total * i as u64 / width as u64;
                let b = total * (i as u64 + 1) / width as u64;
                let overlap = hi.min(b).saturating_sub(lo.max(a));
                if overlap > best[i] {
                    best[i] = overlap;
                    *slot = c;
                }
            }
        }
        // Regions too small for a column of their own get one, next to each other if they share it.
        let mut forced = vec![false; width];
        for &(lo, _, c) in &regions {
            if !line.contains(&c) {
                let at = (col(lo)..width)
                    .chain((0..col(lo)).rev())
                    .find(|&i| !forced[i])
                    .unwrap_or(col(lo));
                line[at] = c;
                forced[at] = true;
            }
        }
        let grow = match self.max_pages {
            Some(m) if m > self.min_pages => format!(" grows to {m} pages"),
            Some(_) => " fixed size".to_string(),
            None => " grows without limit".to_string(),
        };
        format!(
            "|{}| {} pages,{grow}  (S stack, r rodata, d data, b bss, f fixed, h heap, . unused)",
            line.into_iter().collect::<String>(),
            self.min_pages
        )
    }

    /// The plan as JSON: segments, symbols and memory limits.
    pub fn to_json(&self) -> String {
        let s = &self.symbols;
        let mut out = String::from("{\n  \"segments\": [");
        for (i, seg) in self.segments.iter().enumerate() {
            let _ = write!(
                out,
                "{}\n    {{\"name\": {}, \"output\": {}, \"address\": {}, \"size\": {}, \"align\": {}, \"kind\": \"{}\"}}",
                if i == 0 { "" } else { "," },
                json_string(&seg.name),
                json_string(&seg.output),
                seg.address,
                seg.size,
                seg.align,
                seg.kind.word()
            );
        }
        out.push_str(if self.segments.is_empty() {
            "],\n"
        } else {
            "\n  ],\n"
        });
        let opt = |v: Option<u64>| v.map_or("null".to_string(), |v| v.to_string());
        let _ = writeln!(
            out,
            "  \"symbols\": {{\"__stack_pointer\": {}, \"__stack_low\": {}, \"__stack_high\": {}, \
             \"__global_base\": {}, \"__dso_handle\": {}, \"__data_end\": {}, \"__heap_base\": {}, \
             \"__heap_end\": {}, \"__memory_base\": {}, \"__table_base\": {}, \"__wasm_init_memory_flag\": {}}},",
            s.stack_pointer,
            s.stack_low,
            s.stack_high,
            s.global_base,
            s.dso_handle,
            s.data_end,
            opt(s.heap_base),
            s.heap_end,
            s.memory_base,
            s.table_base,
            opt(s.init_memory_flag)
        );
        let _ = write!(
            out,
            "  \"stack\": {{\"size\": {}, \"first\": {}}},\n  \"memory\": {{\"min_pages\": {}, \"max_pages\": {}, \
             \"imported\": {}, \"shared\": {}}}\n}}\n",
            self.stack_size,
            self.stack_first,
            self.min_pages,
            opt(self.max_pages),
            self.imported,
            self.shared
        );
        out
    }
}

/// `text` as a JSON string literal.
fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
