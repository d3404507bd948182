//! libbpf's error helpers, the pure half
//! (docs/libbpf-behaviour.md#error-helpers; libbpf 1.7.0 `libbpf_utils.c` and
//! `libbpf.c`):
//! - `libbpf_strerror`: which text goes into the caller's buffer and what is
//!   returned ([`plan`]); the FFI layer does the byte writes and, for
//!   ordinary errno values, calls the C library's XSI `strerror_r`.
//! - `libbpf_errstr` (hidden in libbpf, used in its messages since 1.6):
//!   `-ENOENT`-style names ([`errstr`]).
//! - `libbpf_get_error` and the `IS_ERR_OR_NULL` test ([`get_error`]).
#![forbid(unsafe_code)]

use core::ffi::CStr;

use super::errno::{Errno, Result};
use super::text::FixedStr;

/// Room for libbpf's longest own text (40 bytes) and for
/// "Unknown libbpf error -2147483648".
pub type TextBuf = FixedStr<48>;

/// Room for `"-2147483648"` and its NUL.
pub type ErrstrBuf = FixedStr<16>;

/// `__LIBBPF_ERRNO__START`: libbpf's own error codes begin here.
pub const LIBBPF_ERRNO_START: i32 = 4000;
/// `__LIBBPF_ERRNO__END` in libbpf 1.7.0 (one past `LIBBPF_ERRNO__NLPARSE`).
pub const LIBBPF_ERRNO_END: i32 = 4014;

/// `libbpf_strerror_table`, indexed by `err - 4000`. 4006
/// (`LIBBPF_ERRNO__LOAD`) has no entry: libbpf then prints a NULL `%s`,
/// which glibc renders as `(null)` (measured;
/// docs/libbpf-behaviour.md#error-helpers).
const LIBBPF_MESSAGES: [Option<&str>; (LIBBPF_ERRNO_END - LIBBPF_ERRNO_START) as usize] = [
    Some("Something wrong in libelf"),
    Some("BPF object format invalid"),
    Some("'version' section incorrect or lost"),
    Some("Endian mismatch"),
    Some("Internal error in libbpf"),
    Some("Relocation failed"),
    None,
    Some("Kernel verifier blocks program loading"),
    Some("Program too big"),
    Some("Incorrect kernel version"),
    Some("Kernel doesn't support this program type"),
    Some("Wrong pid in netlink message"),
    Some("Invalid netlink sequence"),
    Some("Incorrect netlink message parsing"),
];

/// What `libbpf_strerror(err, buf, size)` does once `buf` and `size` passed
/// the NULL/0 check (which fails with `-EINVAL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Strerror {
    /// `err < 4000`: XSI `strerror_r(errnum, buf, size)`, then
    /// `buf[size - 1] = 0`; its return value is passed on as is (0, or a
    /// *positive* errno such as `EINVAL` for an unknown number or `ERANGE`
    /// for a short buffer); a negative one would become `-errno`.
    System { errnum: i32 },
    /// libbpf's own text, written like `snprintf(buf, size, "%s", text)`
    /// and then `buf[size - 1] = 0`.
    Text(Text),
}

/// A text `libbpf_strerror` writes itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub text: TextBuf,
    /// The result when the text fits: `Ok(0)` for libbpf's table, `ENOENT`
    /// for "Unknown libbpf error N".
    pub if_fits: Result<i32>,
}

impl Text {
    /// How many bytes of the text `snprintf` copies into a `size`-byte
    /// buffer (`size` ≥ 1); a NUL follows them.
    pub fn copy_len(&self, size: usize) -> usize {
        self.text.len().min(size.saturating_sub(1))
    }

    /// The function's result for a `size`-byte buffer: `-ERANGE` when
    /// `snprintf` had to truncate (its return value ≥ `size`).
    pub fn result(&self, size: usize) -> Result<i32> {
        if self.text.len() >= size {
            Err(Errno::ERANGE)
        } else {
            self.if_fits
        }
    }
}

/// The branch `libbpf_strerror` takes for `err` (made positive first, so
/// `-22` and `22` are the same; `INT_MIN` stays negative and goes to
/// `strerror_r`, as in C).
pub fn plan(err: i32) -> Strerror {
    let err = if err > 0 { err } else { err.wrapping_neg() };
    if err < LIBBPF_ERRNO_START {
        return Strerror::System { errnum: err };
    }
    let index = (err - LIBBPF_ERRNO_START) as usize;
    if err < LIBBPF_ERRNO_END {
        let text = LIBBPF_MESSAGES.get(index).copied().flatten();
        return Strerror::Text(Text {
            text: TextBuf::from_bytes(text.unwrap_or("(null)").as_bytes()),
            if_fits: Ok(0),
        });
    }
    Strerror::Text(Text {
        text: *TextBuf::new()
            .push(b"Unknown libbpf error ")
            .push_i64(err.into()),
        if_fits: Err(Errno::ENOENT),
    })
}

/// `libbpf_errstr(err)`: the symbolic name of `-|err|` (`"-ENOENT"`), or the
/// negative number in decimal for a value without a name. libbpf 1.7.0's
/// messages print errors this way (`failed to mkdir <path>: -ENOENT`).
pub fn errstr(err: i32) -> ErrstrBuf {
    let err = if err > 0 { err.wrapping_neg() } else { err };
    match errno_name(err.wrapping_neg()) {
        Some(name) => ErrstrBuf::from_bytes(name.to_bytes()),
        None => *ErrstrBuf::new().push_i64(err.into()),
    }
}

/// The names `libbpf_errstr` knows (libbpf 1.7.0), keyed by positive errno.
fn errno_name(e: i32) -> Option<&'static CStr> {
    /// The kernel-internal `ENOTSUPP` (not in libc), which libbpf defines.
    const ENOTSUPP: i32 = 524;
    Some(match e {
        libc::E2BIG => c"-E2BIG",
        libc::EACCES => c"-EACCES",
        libc::EADDRINUSE => c"-EADDRINUSE",
        libc::EADDRNOTAVAIL => c"-EADDRNOTAVAIL",
        libc::EAGAIN => c"-EAGAIN",
        libc::EALREADY => c"-EALREADY",
        libc::EBADF => c"-EBADF",
        libc::EBADFD => c"-EBADFD",
        libc::EBUSY => c"-EBUSY",
        libc::ECANCELED => c"-ECANCELED",
        libc::ECHILD => c"-ECHILD",
        libc::EDEADLK => c"-EDEADLK",
        libc::EDOM => c"-EDOM",
        libc::EEXIST => c"-EEXIST",
        libc::EFAULT => c"-EFAULT",
        libc::EFBIG => c"-EFBIG",
        libc::EILSEQ => c"-EILSEQ",
        libc::EINPROGRESS => c"-EINPROGRESS",
        libc::EINTR => c"-EINTR",
        libc::EINVAL => c"-EINVAL",
        libc::EIO => c"-EIO",
        libc::EISDIR => c"-EISDIR",
        libc::ELOOP => c"-ELOOP",
        libc::EMFILE => c"-EMFILE",
        libc::EMLINK => c"-EMLINK",
        libc::EMSGSIZE => c"-EMSGSIZE",
        libc::ENAMETOOLONG => c"-ENAMETOOLONG",
        libc::ENFILE => c"-ENFILE",
        libc::ENODATA => c"-ENODATA",
        libc::ENODEV => c"-ENODEV",
        libc::ENOENT => c"-ENOENT",
        libc::ENOEXEC => c"-ENOEXEC",
        libc::ENOLINK => c"-ENOLINK",
        libc::ENOMEM => c"-ENOMEM",
        libc::ENOSPC => c"-ENOSPC",
        libc::ENOTBLK => c"-ENOTBLK",
        libc::ENOTDIR => c"-ENOTDIR",
        ENOTSUPP => c"-ENOTSUPP",
        libc::ENOTTY => c"-ENOTTY",
        libc::ENXIO => c"-ENXIO",
        libc::EOPNOTSUPP => c"-EOPNOTSUPP",
        libc::EOVERFLOW => c"-EOVERFLOW",
        libc::EPERM => c"-EPERM",
        libc::EPIPE => c"-EPIPE",
        libc::EPROTO => c"-EPROTO",
        libc::EPROTONOSUPPORT => c"-EPROTONOSUPPORT",
        libc::ERANGE => c"-ERANGE",
        libc::EROFS => c"-EROFS",
        libc::ESPIPE => c"-ESPIPE",
        libc::ESRCH => c"-ESRCH",
        libc::ETXTBSY => c"-ETXTBSY",
        libc::EUCLEAN => c"-EUCLEAN",
        libc::EXDEV => c"-EXDEV",
        _ => return None,
    })
}

/// `MAX_ERRNO`: pointers in the last 4095 bytes of the address space are
/// `ERR_PTR(-errno)` values.
pub const MAX_ERRNO: usize = 4095;

/// `IS_ERR_OR_NULL(ptr)`.
pub fn is_err_or_null(addr: usize) -> bool {
    addr == 0 || addr >= MAX_ERRNO.wrapping_neg()
}

/// `libbpf_get_error(ptr)`, given the pointer's address and the current
/// `errno`: 0 for an object; for `ERR_PTR(-e)`, `errno = e` and `-e`
/// (`Err(e)`); for NULL, `-errno` as it stands, without touching it (the
/// failed call set it).
pub fn get_error(addr: usize, errno_now: i32) -> Result<i64> {
    if !is_err_or_null(addr) {
        return Ok(0);
    }
    if addr == 0 {
        return Ok(-i64::from(errno_now));
    }
    // PTR_ERR: the address as a (negative) long, -4095..=-1.
    let ptr_err = addr as isize as i64;
    Err(Errno((-ptr_err) as i32))
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]

    use std::format;

    use super::*;

    fn text(err: i32) -> Text {
        match plan(err) {
            Strerror::Text(t) => t,
            other => panic!("{err}: expected libbpf's own text, got {other:?}"),
        }
    }

    #[test]
    fn errno_values_go_to_strerror_r_made_positive() {
        assert_eq!(plan(22), Strerror::System { errnum: 22 });
        assert_eq!(plan(-22), Strerror::System { errnum: 22 });
        assert_eq!(plan(0), Strerror::System { errnum: 0 });
        assert_eq!(plan(3999), Strerror::System { errnum: 3999 });
        assert_eq!(plan(-3999), Strerror::System { errnum: 3999 });
        // -INT_MIN overflows and stays negative in C: strerror_r gets it.
        assert_eq!(plan(i32::MIN), Strerror::System { errnum: i32::MIN });
    }

    #[test]
    fn libbpf_table_and_its_null_entry() {
        let t = text(4000);
        assert_eq!(t.text.as_bytes(), b"Something wrong in libelf");
        assert_eq!(t.result(100), Ok(0));
        assert_eq!(text(-4001).text.as_bytes(), b"BPF object format invalid");
        assert_eq!(
            text(4002).text.as_bytes(),
            b"'version' section incorrect or lost"
        );
        assert_eq!(text(4003).text.as_bytes(), b"Endian mismatch");
        assert_eq!(text(4004).text.as_bytes(), b"Internal error in libbpf");
        assert_eq!(text(4005).text.as_bytes(), b"Relocation failed");
        // LIBBPF_ERRNO__LOAD has no table entry: glibc's "(null)", result 0.
        let load = text(4006);
        assert_eq!(load.text.as_bytes(), b"(null)");
        assert_eq!(load.result(64), Ok(0));
        assert_eq!(
            text(4007).text.as_bytes(),
            b"Kernel verifier blocks program loading"
        );
        assert_eq!(text(4008).text.as_bytes(), b"Program too big");
        assert_eq!(text(4009).text.as_bytes(), b"Incorrect kernel version");
        assert_eq!(
            text(4010).text.as_bytes(),
            b"Kernel doesn't support this program type"
        );
        assert_eq!(text(4011).text.as_bytes(), b"Wrong pid in netlink message");
        assert_eq!(text(4012).text.as_bytes(), b"Invalid netlink sequence");
        assert_eq!(
            text(4013).text.as_bytes(),
            b"Incorrect netlink message parsing"
        );
        assert_eq!(text(-4013).result(64), Ok(0));
    }

    #[test]
    fn unknown_libbpf_errors_are_enoent() {
        let t = text(4014);
        assert_eq!(t.text.as_bytes(), b"Unknown libbpf error 4014");
        assert_eq!(t.result(64), Err(Errno::ENOENT));
        let t = text(-5000);
        assert_eq!(t.text.as_bytes(), b"Unknown libbpf error 5000");
        assert_eq!(t.result(64), Err(Errno::ENOENT));
        assert_eq!(
            text(i32::MAX).text.as_bytes(),
            format!("Unknown libbpf error {}", i32::MAX).as_bytes()
        );
    }

    #[test]
    fn truncation_is_erange_and_snprintf_sized() {
        let t = text(4003); // "Endian mismatch", 15 bytes
        assert_eq!(t.result(16), Ok(0));
        assert_eq!(t.copy_len(16), 15);
        assert_eq!(t.result(15), Err(Errno::ERANGE));
        assert_eq!(t.copy_len(15), 14);
        assert_eq!(t.result(1), Err(Errno::ERANGE));
        assert_eq!(t.copy_len(1), 0);
        // Truncation wins over ENOENT for unknown codes.
        let u = text(5000);
        assert_eq!(u.result(5), Err(Errno::ERANGE));
        assert_eq!(u.copy_len(5), 4);
        // "(null)" is 6 bytes: needs 7.
        assert_eq!(text(4006).result(6), Err(Errno::ERANGE));
        assert_eq!(text(4006).result(7), Ok(0));
    }

    #[test]
    fn errstr_names_and_numbers() {
        assert_eq!(errstr(-libc::ENOENT).as_c_str(), c"-ENOENT");
        assert_eq!(errstr(libc::ENOENT).as_c_str(), c"-ENOENT");
        assert_eq!(errstr(-libc::EINVAL).as_c_str(), c"-EINVAL");
        assert_eq!(errstr(libc::EBUSY).as_c_str(), c"-EBUSY");
        assert_eq!(errstr(-libc::EOPNOTSUPP).as_c_str(), c"-EOPNOTSUPP");
        assert_eq!(errstr(-524).as_c_str(), c"-ENOTSUPP");
        assert_eq!(errstr(libc::EUCLEAN).as_c_str(), c"-EUCLEAN");
        assert_eq!(errstr(libc::ETXTBSY).as_c_str(), c"-ETXTBSY");
        // Not in libbpf's list: the negative number.
        assert_eq!(errstr(libc::ENOSYS).as_c_str(), c"-38");
        assert_eq!(errstr(-libc::ESTALE).as_c_str(), c"-116");
        assert_eq!(errstr(0).as_c_str(), c"0");
        assert_eq!(errstr(4095).as_c_str(), c"-4095");
        assert_eq!(errstr(i32::MIN).as_c_str(), c"-2147483648");
        assert_eq!(errstr(i32::MAX).as_c_str(), c"-2147483647");
    }

    #[test]
    fn errstr_knows_exactly_libbpfs_53_names() {
        let named = (0..5000).filter(|&e| errno_name(e).is_some()).count();
        assert_eq!(named, 53);
        // Names some other tools know but libbpf 1.7.0 does not.
        for e in [
            libc::ENOSYS,
            libc::ENOTEMPTY,
            libc::ETIMEDOUT,
            libc::ENOTSUP + 1000,
        ] {
            assert!(errno_name(e).is_none(), "{e}");
        }
    }

    #[test]
    fn is_err_or_null_boundaries() {
        assert!(is_err_or_null(0));
        assert!(!is_err_or_null(1));
        assert!(!is_err_or_null(0x1000));
        assert!(!is_err_or_null((-4096isize) as usize));
        assert!(is_err_or_null((-4095isize) as usize));
        assert!(is_err_or_null((-22isize) as usize));
        assert!(is_err_or_null(usize::MAX));
    }

    #[test]
    fn get_error_cases() {
        assert_eq!(get_error(0x5555_0000, 2), Ok(0));
        assert_eq!(get_error(0, libc::ENOENT), Ok(-2));
        assert_eq!(get_error(0, 0), Ok(0));
        assert_eq!(get_error((-22isize) as usize, 0), Err(Errno::EINVAL));
        assert_eq!(get_error(usize::MAX, 7), Err(Errno(1)));
        assert_eq!(get_error((-4095isize) as usize, 0), Err(Errno(4095)));
    }
}
