//! The one integration-test binary: a module per area, each driving the real `keytrace` binary.

mod it;
