//! Retail margin: the distributor buys at wholesale and sells at
//! `wholesale × (1 + markup)`; it keeps `markup × wholesale value of customer volume`.
//! Paid by the customer, never by the company: it is outside the payout and the cap.

use super::cents_of;

/// Write each participating distributor's retail profit this month (cents); returns the sum.
/// An empty `retail_pv` is no customers.
pub fn pay(
    retail_pv: &[i64],
    participating: &[bool],
    markup: i64,
    point_value: i64,
    out: &mut [i64],
) -> i64 {
    let mut total = 0;
    if retail_pv.is_empty() {
        // No customers.
        out.fill(0);
        return 0;
    }
    for ((o, &v), &on) in out.iter_mut().zip(retail_pv).zip(participating) {
        *o = if v == 0 || !on {
            0
        } else {
            cents_of(v as i128 * markup as i128, point_value)
        };
        total += *o;
    }
    total
}
