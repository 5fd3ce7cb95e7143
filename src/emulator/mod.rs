//! The emulator (coming).
