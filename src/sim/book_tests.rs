//! Behaviour of the simulator book (written next).
