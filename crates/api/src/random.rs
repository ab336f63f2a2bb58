//! Randomness from the OS CSPRNG. A leaf: auth, config and the rest draw their tokens and secrets here.

use ring::rand::{SecureRandom as _, SystemRandom};

/// `N` bytes from the OS CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    SystemRandom::new()
        .fill(&mut buf)
        .expect("the OS random number generator failed");
    buf
}
