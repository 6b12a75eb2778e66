//! The placement tree: where each recruit sits in a binary tree or a forced matrix, apart
//! from the sponsor tree. The engine places each new distributor as the downline grows, by
//! the plan's rule (or where [`crate::ledger`] was told to), and (binary) rolls each
//! month's PV up the legs.
//!
//! Forced matrix W×D: a recruit takes the first open slot in its sponsor's placement
//! subtree, breadth first, left to right (the sponsor's own slots first, then its first
//! child's, …). The search visits the full part of the subtree above the open slot
//! (scratch queue, no allocation); slots never free up, so a full level stays full. The
//! tree has no depth limit; the bonus pays D levels.
//!
//! Binary: every rule places a recruit in its sponsor's placement subtree: it picks one of the
//! sponsor's two legs, then walks down the outside of that leg (left, left, … for the
//! left leg) to the first open slot — extreme spillover. The walk follows remembered
//! bottoms of those outside lines, so repeated placement down one line costs O(1).
//!
//! `weaker_leg` picks the leg with less cumulative PV (all months before the one the
//! recruit joins in: this month's PV is not known when people are placed, at the start
//! of the month); on a tie (as for everyone placed before any volume) it alternates,
//! left first, as `alternate` does. Arrays are indexed by join order; a placement parent
//! always comes before its child.

use crate::downline::NO_SPONSOR;
use crate::plan::{BinaryRule, Placement};

/// No node (an open slot, or no placement parent).
pub const NONE: u32 = NO_SPONSOR;

/// The placement tree and (binary) its monthly leg volumes.
#[derive(Debug, Default)]
pub struct PlacementTree {
    placed: usize,
    /// Slots per distributor (2 for a binary tree).
    width: usize,
    /// Placement parent of each distributor ([`NONE`] for a root).
    pub parent: Vec<u32>,
    /// Slot of its placement parent each distributor sits in (binary: 0 left, 1 right).
    pub leg: Vec<u8>,
    /// Children of each distributor by slot (`child[width × i + slot]`).
    pub child: Vec<u32>,
    queue: Vec<u32>,
    /// A node on the outside line of each leg, at or above its bottom.
    ext: Vec<u32>,
    /// The leg an alternating sponsor places into next.
    next: Vec<u8>,
    /// PV of each leg (whole leg subtree) this month (`leg_pv[2 i + leg]`).
    pub leg_pv: Vec<i64>,
    /// PV of each leg in all months before this one.
    pub cum_pv: Vec<i64>,
    sub: Vec<i64>,
    /// Given placement (parent, leg) of each distributor, by join order.
    explicit: Option<(Vec<u32>, Vec<u8>)>,
    /// Binary: the leg of its sponsor each distributor is placed in, at any depth
    /// ([`NO_LEG`] for a founder, or one placed outside its sponsor's downline).
    pub sponsor_leg: Vec<u8>,
}

/// [`PlacementTree::sponsor_leg`] of one not in its sponsor's placement downline.
pub const NO_LEG: u8 = u8::MAX;

impl PlacementTree {
    /// Place the distributors by `explicit` (parent, leg) instead of by the rule.
    pub fn set_explicit(&mut self, parent: Vec<u32>, leg: Vec<u8>) {
        assert_eq!(parent.len(), leg.len());
        self.explicit = Some((parent, leg));
    }

    /// Place the distributors who are new since the last call.
    pub fn update(&mut self, sponsor: &[u32], placement: Placement) {
        let n = sponsor.len();
        assert!(n >= self.placed, "the downline may only grow");
        let w = match placement {
            Placement::None => return,
            Placement::Binary(_) => 2,
            Placement::Matrix { width, .. } => width as usize,
        };
        self.width = w;
        self.parent.resize(n, NONE);
        self.leg.resize(n, 0);
        self.child.resize(w * n, NONE);
        if matches!(placement, Placement::Binary(_)) {
            self.next.resize(n, 0);
            self.leg_pv.resize(2 * n, 0);
            self.cum_pv.resize(2 * n, 0);
            self.sub.resize(n, 0);
            let start = self.ext.len() / 2;
            for i in start..n {
                self.ext.push(i as u32);
                self.ext.push(i as u32);
            }
        }
        for i in self.placed..n {
            let (p, side) = match &self.explicit {
                Some((par, leg)) => (par[i], leg[i]),
                None => {
                    let s = sponsor[i];
                    if s == NO_SPONSOR {
                        (NONE, 0)
                    } else if let Placement::Binary(rule) = placement {
                        let side = self.choose(s as usize, rule);
                        (self.bottom(s as usize, side), side)
                    } else {
                        self.first_open(s)
                    }
                }
            };
            if p != NONE {
                assert!((side as usize) < w, "no such slot");
                let slot = &mut self.child[w * p as usize + side as usize];
                assert!(
                    (p as usize) < i,
                    "a placement parent must come before its child"
                );
                assert_eq!(*slot, NONE, "placement slot taken twice");
                *slot = i as u32;
            }
            self.parent[i] = p;
            self.leg[i] = side;
            if w == 2 {
                // Which of the sponsor's legs: the rule placed it down `side` of the
                // sponsor; a given placement is walked up to the sponsor.
                let s = sponsor[i];
                let sl = if s == NO_SPONSOR || p == NONE {
                    NO_LEG
                } else if self.explicit.is_none() {
                    side
                } else {
                    let mut x = i as u32;
                    loop {
                        let up = self.parent[x as usize];
                        if up == s {
                            break self.leg[x as usize];
                        }
                        if up == NONE {
                            break NO_LEG;
                        }
                        x = up;
                    }
                };
                self.sponsor_leg.push(sl);
            }
        }
        self.placed = n;
    }

    /// The first open slot under `s`, breadth first, left to right.
    fn first_open(&mut self, s: u32) -> (u32, u8) {
        let w = self.width;
        self.queue.clear();
        self.queue.push(s);
        let mut head = 0;
        loop {
            let x = self.queue[head] as usize;
            head += 1;
            let kids = &self.child[w * x..w * (x + 1)];
            if let Some(k) = kids.iter().position(|&c| c == NONE) {
                return (x as u32, k as u8);
            }
            self.queue.extend_from_slice(kids);
        }
    }

    fn choose(&mut self, s: usize, rule: BinaryRule) -> u8 {
        match rule {
            BinaryRule::Left => 0,
            BinaryRule::Right => 1,
            BinaryRule::WeakerLeg if self.cum_pv[2 * s] != self.cum_pv[2 * s + 1] => {
                (self.cum_pv[2 * s] > self.cum_pv[2 * s + 1]) as u8
            }
            BinaryRule::WeakerLeg | BinaryRule::Alternate => {
                let t = self.next[s];
                self.next[s] = 1 - t;
                t
            }
        }
    }

    /// The last node down the outside line of `s`'s leg `side` (the slot below it is open).
    fn bottom(&mut self, s: usize, side: u8) -> u32 {
        let k = side as usize;
        let mut y = self.ext[2 * s + k];
        loop {
            let c = self.child[2 * y as usize + k];
            if c == NONE {
                break;
            }
            y = self.ext[2 * c as usize + k];
        }
        self.ext[2 * s + k] = y;
        y
    }

    /// Binary: this month's PV of every leg from each distributor's `pv` (one reverse pass). An
    /// open slot is never written, so its leg reads 0.
    pub fn roll_up(&mut self, pv: &[i64]) {
        let n = pv.len();
        self.sub[..n].copy_from_slice(pv);
        for i in (0..n).rev() {
            let p = self.parent[i];
            if p != NONE {
                let x = self.sub[i];
                self.sub[p as usize] += x;
                self.leg_pv[2 * p as usize + self.leg[i] as usize] = x;
            }
        }
    }

    /// Binary: add this month's leg volumes to the cumulative ones.
    pub fn close_month(&mut self, n: usize) {
        for (c, &l) in self.cum_pv[..2 * n].iter_mut().zip(&self.leg_pv[..2 * n]) {
            *c += l;
        }
    }
}
