//! Retail margin: the distributor buys at wholesale and sells at
//! `wholesale × (1 + markup)`; it keeps `markup × wholesale value of customer volume`.
//! Paid by the customer, never by the company: it is outside the payout and the cap.

use super::cents_of;

/// Write each participating distributor's retail profit this month (cents); returns the sum.
/// An empty `retail_pv` is no customers; `participants` are those participating.
pub fn pay(
    retail_pv: &[i64],
    participants: &[u32],
    markup: i64,
    point_value: i64,
    out: &mut [i64],
) -> i64 {
    out.fill(0);
    if retail_pv.is_empty() {
        // No customers.
        return 0;
    }
    let mut total = 0;
    for &i in participants {
        let v = retail_pv[i as usize];
        if v != 0 {
            let c = cents_of(v as i128 * markup as i128, point_value);
            out[i as usize] = c;
            total += c;
        }
    }
    total
}
