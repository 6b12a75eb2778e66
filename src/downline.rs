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
}

impl Downline {
    /// An empty store with room for `cap` people.
    pub fn with_capacity(cap: usize) -> Self {
        Downline {
            sponsor: Vec::with_capacity(cap),
            join_month: Vec::with_capacity(cap),
            quit_month: Vec::with_capacity(cap),
            skill: Vec::with_capacity(cap),
            customers: Vec::with_capacity(cap),
            preferred: Vec::with_capacity(cap),
            recruits: Vec::with_capacity(cap),
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
        self.skill.push(skill);
        self.customers.push(0);
        self.preferred.push(0);
        self.recruits.push(0);
        if sponsor != NO_SPONSOR {
            self.recruits[sponsor as usize] += 1;
        }
        id
    }

    /// Whether `i` participates in `month`.
    #[inline]
    pub fn participates(&self, i: usize, month: u16) -> bool {
        self.join_month[i] <= month && month < self.quit_month[i]
    }
}
