//! Offsets in a decoded view → offsets in the text it was decoded from.
//!
//! A map is a list of anchor points (view offset, parent offset), both non-decreasing, from
//! `(0, start)` to `(view length, end)`. Between two anchors the offsets are interpolated: a
//! run copied unchanged has equal lengths on both sides and maps exactly; an escape (`%2D`, one
//! byte from three) maps its whole output to its whole input; base64 maps proportionally, which
//! is exact to the 4-character group. A span's start is rounded down and its end up, so a
//! mapped span always covers the encoded text of what it holds.

use std::ops::Range;

/// How a view's offsets lead back to its parent's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetMap {
    points: Vec<(usize, usize)>,
}

impl OffsetMap {
    /// A view that is the proportional decoding of `parent` (base64).
    pub fn proportional(view_len: usize, parent: Range<usize>) -> OffsetMap {
        OffsetMap {
            points: vec![(0, parent.start), (view_len, parent.end)],
        }
    }

    /// The parent span of the view span `span`.
    pub fn to_parent(&self, span: Range<usize>) -> Range<usize> {
        let start = self.start(span.start);
        if span.end <= span.start {
            return start..start;
        }
        start..self.end(span.end).max(start)
    }

    fn start(&self, at: usize) -> usize {
        let i = self.points.partition_point(|&(v, _)| v <= at);
        let (v0, p0) = self.points[i.saturating_sub(1).min(self.points.len() - 1)];
        match self.points.get(i) {
            Some(&(v1, p1)) if v1 > v0 => p0 + (at.saturating_sub(v0)) * (p1 - p0) / (v1 - v0),
            _ => p0,
        }
    }

    fn end(&self, at: usize) -> usize {
        let i = self.points.partition_point(|&(v, _)| v < at);
        let Some(&(v1, p1)) = self.points.get(i) else {
            return self.points.last().map_or(0, |&(_, p)| p);
        };
        if i == 0 || v1 == at {
            return p1;
        }
        let (v0, p0) = self.points[i - 1];
        p0 + ((at - v0) * (p1 - p0)).div_ceil(v1 - v0)
    }
}

/// Builds an [`OffsetMap`] while a decoder writes its view left to right.
#[derive(Debug)]
pub struct MapBuilder {
    points: Vec<(usize, usize)>,
    view: usize,
    parent: usize,
    /// Whether the last segment was copied unchanged (and may be extended in place).
    copying: bool,
}

impl MapBuilder {
    /// A map whose view starts at parent offset `parent_start`.
    pub fn new(parent_start: usize) -> MapBuilder {
        MapBuilder {
            points: vec![(0, parent_start)],
            view: 0,
            parent: parent_start,
            copying: false,
        }
    }

    /// `len` bytes copied unchanged.
    pub fn copy(&mut self, len: usize) {
        if len == 0 {
            return;
        }
        self.view += len;
        self.parent += len;
        if self.copying {
            *self.points.last_mut().expect("a map has a first point") = (self.view, self.parent);
        } else {
            self.points.push((self.view, self.parent));
            self.copying = true;
        }
    }

    /// `parent_len` bytes of the parent became `view_len` bytes of the view.
    pub fn replace(&mut self, parent_len: usize, view_len: usize) {
        self.view += view_len;
        self.parent += parent_len;
        self.points.push((self.view, self.parent));
        self.copying = false;
    }

    /// The parent offset the next byte will come from.
    pub fn parent_offset(&self) -> usize {
        self.parent
    }

    pub fn finish(self) -> OffsetMap {
        OffsetMap {
            points: self.points,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_map_exactly_and_escapes_map_to_their_whole_input() {
        // parent: "ab%2Dcd" at offset 10 → view "ab-cd"
        let mut b = MapBuilder::new(10);
        b.copy(2);
        b.replace(3, 1);
        b.copy(2);
        let map = b.finish();
        assert_eq!(map.to_parent(0..2), 10..12);
        assert_eq!(map.to_parent(2..3), 12..15);
        assert_eq!(map.to_parent(1..4), 11..16);
        assert_eq!(map.to_parent(0..5), 10..17);
        assert_eq!(map.to_parent(3..5), 15..17);
    }

    #[test]
    fn proportional_maps_cover_their_groups_and_clamp() {
        let map = OffsetMap::proportional(6, 100..108);
        assert_eq!(map.to_parent(0..6), 100..108);
        assert_eq!(map.to_parent(3..6), 104..108);
        assert_eq!(map.to_parent(1..2), 101..103);
        // Offsets past the view clamp to its end; an empty or reversed span stays inside.
        assert_eq!(map.to_parent(4..99), 105..108);
        let reversed = std::ops::Range { start: 5, end: 2 };
        assert_eq!(map.to_parent(reversed), 106..106);
    }
}
