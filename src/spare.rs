//! Arrays a finished run leaves for the next run on the same thread.
//!
//! A run's per-person arrays are tens to hundreds of megabytes. Allocated anew for every
//! run, their pages are faulted in and zeroed by the kernel each time, and freed again at
//! the end (with two threads, both at once); handed on instead, the next run finds them
//! already the process's. An array is taken cleared (its contents are never seen again),
//! so a run's results cannot depend on the run before.

/// The arrays kept between runs, by element type.
#[derive(Default, Debug)]
pub struct Spare {
    i64s: Vec<Vec<i64>>,
    u32s: Vec<Vec<u32>>,
    u16s: Vec<Vec<u16>>,
    u8s: Vec<Vec<u8>>,
    bools: Vec<Vec<bool>>,
    f32s: Vec<Vec<f32>>,
}

/// The arrays of one element type in a [`Spare`].
pub trait Pool<T> {
    /// The kept arrays of element type `T`.
    fn pool(&mut self) -> &mut Vec<Vec<T>>;
}

macro_rules! pools {
    ($($t:ty => $f:ident),*) => {$(
        impl Pool<$t> for Spare {
            fn pool(&mut self) -> &mut Vec<Vec<$t>> {
                &mut self.$f
            }
        }
    )*};
}
pools!(i64 => i64s, u32 => u32s, u16 => u16s, u8 => u8s, bool => bools, f32 => f32s);

/// Arrays smaller than this are not worth keeping.
const WORTH_KEEPING: usize = 64 << 10;

impl Spare {
    /// An empty array with room for `cap` elements: a kept one (cleared) if there is one.
    pub fn take<T>(&mut self, cap: usize) -> Vec<T>
    where
        Self: Pool<T>,
    {
        match self.pool().pop() {
            Some(mut v) => {
                v.clear();
                v.reserve(cap);
                v
            }
            None => Vec::with_capacity(cap),
        }
    }

    /// Keep `v` for a later run (dropped if small).
    pub fn give<T>(&mut self, mut v: Vec<T>)
    where
        Self: Pool<T>,
    {
        if v.capacity() * std::mem::size_of::<T>() >= WORTH_KEEPING {
            v.clear();
            self.pool().push(v);
        }
    }

    /// [`Spare::give`] the array in `v`, leaving it empty.
    pub fn give_from<T>(&mut self, v: &mut Vec<T>)
    where
        Self: Pool<T>,
    {
        self.give(std::mem::take(v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_come_back_cleared_with_their_room() {
        let mut s = Spare::default();
        let mut v: Vec<i64> = s.take(10);
        assert!(v.capacity() >= 10);
        v.extend(0..100_000);
        let room = v.capacity();
        s.give(v);
        let w: Vec<i64> = s.take(5);
        assert!(w.is_empty());
        assert_eq!(w.capacity(), room);
        // Small arrays are not kept.
        s.give(vec![1u8; 10]);
        let x: Vec<u8> = s.take(0);
        assert_eq!(x.capacity(), 0);
    }
}
