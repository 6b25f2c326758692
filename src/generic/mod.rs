//! Generic credentials: assignments of secret-looking values to credential-like names.
