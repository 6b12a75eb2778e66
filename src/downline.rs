//! The structure-of-arrays store of people.
//!
//! Distributors are numbered in join order, and a distributor always joins after its
//! sponsor, so `sponsor[i] < i`. Every roll-up is then one reverse pass over plain arrays.

/// Sponsor of a founder.
pub const NO_SPONSOR: u32 = u32::MAX;
/// Quit month of someone still in at the horizon.
pub const NEVER: u16 = u16::MAX;

/// Everyone who ever joined in one run, by join order. One `Vec` per field.
#[derive(Clone, Debug, Default)]
pub struct Downline {
    /// Index of the sponsor, or [`NO_SPONSOR`].
    pub sponsor: Vec<u32>,
    /// Month of joining (1 = the first simulated month).
    pub join_month: Vec<u16>,
    /// First month no longer participating, or [`NEVER`].
    pub quit_month: Vec<u16>,
    /// Individual recruiting skill (mean 1).
    pub skill: Vec<f32>,
    /// Retail customers currently buying from this distributor.
    pub customers: Vec<u16>,
    /// Preferred customers currently buying through this distributor.
    pub preferred: Vec<u16>,
    /// Number of personally sponsored recruits so far.
    pub recruits: Vec<u32>,
    /// Which of the optional arrays are kept (the others stay empty).
    kept: Kept,
}

/// The optional arrays of a [`Downline`] a run keeps: a run whose people have no
/// recruiting skill, no customers, or whose recruits are counted by no one keeps no array
/// for them (they are 12 of the 20 bytes a person).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kept {
    /// `skill` (else everyone's skill is 1).
    pub skill: bool,
    /// `customers` and `preferred`.
    pub customers: bool,
    /// `recruits`.
    pub recruits: bool,
}

impl Default for Kept {
    fn default() -> Self {
        Kept::ALL
    }
}

impl Kept {
    /// Every array.
    pub const ALL: Kept = Kept {
        skill: true,
        customers: true,
        recruits: true,
    };
}

impl Downline {
    /// An empty store with room for `cap` people, keeping every array.
    pub fn with_capacity(cap: usize) -> Self {
        Self::keeping(cap, Kept::ALL)
    }

    /// An empty store with room for `cap` people, keeping the optional arrays `kept`.
    pub fn keeping(cap: usize, kept: Kept) -> Self {
        let room = |keep: bool| if keep { cap } else { 0 };
        Downline {
            sponsor: Vec::with_capacity(cap),
            join_month: Vec::with_capacity(cap),
            quit_month: Vec::with_capacity(cap),
            skill: Vec::with_capacity(room(kept.skill)),
            customers: Vec::with_capacity(room(kept.customers)),
            preferred: Vec::with_capacity(room(kept.customers)),
            recruits: Vec::with_capacity(room(kept.recruits)),
            kept,
        }
    }

    /// Recruiting skill of `i` (1 when skills are not kept).
    #[inline]
    pub fn skill_of(&self, i: usize) -> f32 {
        if self.kept.skill {
            self.skill[i]
        } else {
            1.0
        }
    }

    /// Number of people who ever joined.
    #[inline]
    pub fn len(&self) -> usize {
        self.sponsor.len()
    }

    /// Whether no one has joined.
    pub fn is_empty(&self) -> bool {
        self.sponsor.is_empty()
    }

    /// Add a person; returns its index. The sponsor must already be in the store.
    #[inline]
    pub fn push(&mut self, sponsor: u32, join_month: u16, quit_month: u16, skill: f32) -> u32 {
        debug_assert!(sponsor == NO_SPONSOR || (sponsor as usize) < self.len());
        let id = self.len() as u32;
        self.sponsor.push(sponsor);
        self.join_month.push(join_month);
        self.quit_month.push(quit_month);
        if self.kept.skill {
            self.skill.push(skill);
        }
        if self.kept.customers {
            self.customers.push(0);
            self.preferred.push(0);
        }
        if self.kept.recruits {
            self.recruits.push(0);
            if sponsor != NO_SPONSOR {
                self.recruits[sponsor as usize] += 1;
            }
        }
        id
    }

    /// Whether `i` participates in `month`.
    #[inline]
    pub fn participates(&self, i: usize, month: u16) -> bool {
        self.join_month[i] <= month && month < self.quit_month[i]
    }
}
