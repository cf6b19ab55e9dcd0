//! A sans-IO paginator for the list operations: it says which offset to ask for next and how many
//! of a page's items to hand out, and stops on the first of: an empty page, a short page, the
//! reported `total`, a server that ignores `offset` (a page that starts with the first page's
//! first item again), or one that ignores `limit` (more items than asked, with no total). Lists
//! that the API does not paginate are one page.

use crate::error::ValidationError;

/// The largest page the contract allows (`limit` 1 to 100).
pub const MAX_PAGE_SIZE: u32 = 100;
/// The most items `toArray({ limit })` collects (as stripe-node's `autoPagingToArray`, 10,000).
pub const MAX_TO_ARRAY: u32 = 10_000;

fn invalid(field: &str, reason: &str) -> ValidationError {
    ValidationError::InvalidArgument {
        field: field.into(),
        reason: reason.into(),
    }
}

/// Where a paging iteration stands.
#[derive(Debug, Clone)]
pub struct Paginator {
    page_size: u32,
    paginated: bool,
    offset: u64,
    first_key: Option<String>,
    done: bool,
}

impl Paginator {
    /// A paginator of pages of `page_size` (default [`MAX_PAGE_SIZE`]); `paginated` false for a
    /// list the API returns whole.
    ///
    /// # Errors
    /// [`ValidationError::InvalidArgument`] (`pageSize`) outside 1 to [`MAX_PAGE_SIZE`].
    pub fn new(page_size: Option<f64>, paginated: bool) -> Result<Self, ValidationError> {
        let page_size = match page_size {
            None => MAX_PAGE_SIZE,
            Some(n) if n.fract() == 0.0 && (1.0..=f64::from(MAX_PAGE_SIZE)).contains(&n) => {
                n as u32
            }
            Some(_) => return Err(invalid("pageSize", "must be an integer from 1 to 100")),
        };
        Ok(Self {
            page_size,
            paginated,
            offset: 0,
            first_key: None,
            done: false,
        })
    }

    /// The page size to ask for.
    pub fn page_size(&self) -> u32 {
        self.page_size
    }

    /// The offset of the next page to fetch, or `None` when the iteration is over.
    pub fn next_offset(&self) -> Option<u64> {
        (!self.done).then_some(self.offset)
    }

    /// Takes a fetched page of `count` items whose first item has `first_key`, with the
    /// server's `total` if it sent one. Returns how many of its items to hand out (all, or none
    /// for a page that repeats the first one).
    pub fn page(&mut self, count: usize, first_key: Option<&str>, total: Option<u64>) -> usize {
        if self.done {
            return 0;
        }
        if count == 0 || !self.paginated {
            self.done = true;
            return count;
        }
        if self.offset > 0 && first_key.is_some() && first_key == self.first_key.as_deref() {
            // The server ignored offset: it would send this page forever.
            self.done = true;
            return 0;
        }
        if self.first_key.is_none() {
            self.first_key = first_key.map(str::to_owned);
        }
        self.offset += count as u64;
        let size = self.page_size as usize;
        self.done = count < size
            || total.is_some_and(|t| self.offset >= t)
            || (total.is_none() && count > size);
        count
    }
}

/// Checks the `limit` of `toArray`: required, an integer from 1 to [`MAX_TO_ARRAY`]. Asking for
/// more than fits in memory by accident is refused rather than truncated silently.
///
/// # Errors
/// [`ValidationError::InvalidArgument`] (`limit`).
pub fn to_array_limit(limit: Option<f64>) -> Result<u32, ValidationError> {
    match limit {
        None => Err(invalid(
            "limit",
            "toArray needs { limit } (at most 10000); iterate with for await for more",
        )),
        Some(n) if n.fract() == 0.0 && (1.0..=f64::from(MAX_TO_ARRAY)).contains(&n) => Ok(n as u32),
        Some(_) => Err(invalid("limit", "must be an integer from 1 to 10000")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drives a paginator over `server(offset, limit) -> (keys, total)`; returns the keys handed out.
    fn run(
        p: &mut Paginator,
        server: impl Fn(u64, u32) -> (Vec<String>, Option<u64>),
    ) -> Vec<String> {
        let mut out = Vec::new();
        let mut fetches = 0;
        while let Some(offset) = p.next_offset() {
            fetches += 1;
            assert!(fetches < 100, "did not stop");
            let (items, total) = server(offset, p.page_size());
            let n = p.page(items.len(), items.first().map(String::as_str), total);
            out.extend(items.into_iter().take(n));
        }
        out
    }

    fn keys(from: u64, to: u64) -> Vec<String> {
        (from..to).map(|i| format!("k{i}")).collect()
    }

    #[test]
    fn honest_server_with_and_without_total() {
        for with_total in [true, false] {
            let mut p = Paginator::new(Some(10.0), true).unwrap();
            let got = run(&mut p, |o, l| {
                (
                    keys(o, (o + u64::from(l)).min(25)),
                    with_total.then_some(25),
                )
            });
            assert_eq!(got, keys(0, 25));
        }
        // An exact multiple: the total ends it, or else one empty page.
        let mut p = Paginator::new(Some(10.0), true).unwrap();
        assert_eq!(
            run(&mut p, |o, l| (keys(o, (o + u64::from(l)).min(20)), None)),
            keys(0, 20)
        );
    }

    #[test]
    fn server_ignoring_offset_or_limit_stops() {
        let mut p = Paginator::new(Some(10.0), true).unwrap();
        assert_eq!(
            run(&mut p, |_, l| (keys(0, u64::from(l)), Some(1000))),
            keys(0, 10)
        );
        let mut p = Paginator::new(Some(10.0), true).unwrap();
        assert_eq!(run(&mut p, |_, _| (keys(0, 37), None)), keys(0, 37));
    }

    #[test]
    fn unpaginated_lists_are_one_page() {
        let mut p = Paginator::new(None, false).unwrap();
        assert_eq!(run(&mut p, |_, _| (keys(0, 250), None)), keys(0, 250));
    }

    #[test]
    fn bounds() {
        for bad in [0.0, 101.0, 1.5, f64::NAN] {
            assert!(Paginator::new(Some(bad), true).is_err());
        }
        assert_eq!(to_array_limit(Some(10_000.0)).unwrap(), 10_000);
        for bad in [
            None,
            Some(0.0),
            Some(10_001.0),
            Some(2.5),
            Some(f64::INFINITY),
        ] {
            assert!(to_array_limit(bad).is_err(), "{bad:?}");
        }
    }
}
