//! Test support: reproducible mutations of seed inputs (xorshift64), for the parsers' "never
//! panics, and what passes holds up" tests.

/// `rounds` inputs, each a seed (in turn) with 1 to `max_edits` random byte replacements,
/// removals or insertions drawn from `alphabet`.
pub(crate) fn mutations<'a>(
    seeds: &'a [&'a [u8]],
    alphabet: &'a [u8],
    rounds: usize,
    max_edits: u64,
    mut state: u64,
) -> impl Iterator<Item = Vec<u8>> + 'a {
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..rounds).map(move |round| {
        let mut b = seeds[round % seeds.len()].to_vec();
        for _ in 0..=(next() % max_edits) {
            let at = (next() as usize) % (b.len() + 1);
            let c = alphabet[(next() as usize) % alphabet.len()];
            match next() % 3 {
                0 if at < b.len() => b[at] = c,
                1 if at < b.len() => {
                    b.remove(at);
                }
                _ => b.insert(at, c),
            }
        }
        b
    })
}
