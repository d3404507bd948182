//! `perf_event_open` images and perf ioctls, as libbpf 1.7.0 builds them
//! (`libbpf.c`: `perf_event_open_probe`, `perf_event_open_tracepoint`, the
//! legacy kprobe/uprobe openers, `bpf_link_perf_detach`).
#![forbid(unsafe_code)]

use super::errno::{Errno, Result};
use super::uapi::AttrImage;

/// `sizeof(struct perf_event_attr)` in libbpf 1.7.0's UAPI copy
/// (`PERF_ATTR_SIZE_VER9`): the size libbpf writes into `attr.size` and the
/// number of bytes it hands the kernel. Kernels that know less accept it as
/// long as the bytes they do not know are zero, which they are.
pub const PERF_ATTR_SIZE: usize = 144;

/// The attr image of one `perf_event_open`.
pub type PerfAttr = AttrImage<PERF_ATTR_SIZE>;

/// Byte offsets inside `struct perf_event_attr`.
pub const ATTR_TYPE: usize = 0;
pub const ATTR_SIZE: usize = 4;
pub const ATTR_CONFIG: usize = 8;
/// `kprobe_func` / `uprobe_path` / `config1`.
pub const ATTR_CONFIG1: usize = 56;
/// `kprobe_addr` / `probe_offset` / `config2`.
pub const ATTR_CONFIG2: usize = 64;

/// `PERF_TYPE_TRACEPOINT`.
pub const PERF_TYPE_TRACEPOINT: u32 = 2;
/// `PERF_FLAG_FD_CLOEXEC`: every perf fd libbpf opens is close-on-exec.
pub const PERF_FLAG_FD_CLOEXEC: u64 = 8;

/// `PERF_EVENT_IOC_ENABLE`, `_DISABLE`, `_SET_BPF` (`_IO('$', 0)`,
/// `_IO('$', 1)`, `_IOW('$', 8, __u32)`).
pub const IOC_ENABLE: u64 = 0x2400;
pub const IOC_DISABLE: u64 = 0x2401;
pub const IOC_SET_BPF: u64 = 0x4004_2408;

/// `PERF_UPROBE_REF_CTR_OFFSET_SHIFT` (and `_BITS`): the USDT semaphore
/// offset rides in the top 32 bits of `config`.
pub const REF_CTR_OFFSET_SHIFT: u32 = 32;

/// libbpf's `pid`/`cpu` pair for a probe's perf event: a negative pid means
/// "every process" (`-1`) and then the event is bound to CPU 0, exactly as
/// libbpf does; any other pid filters on that process, every CPU (`-1`).
/// (`pid < -1` keeps pid -1 but cpu -1: libbpf's two tests differ.)
pub fn probe_pid_cpu(pid: i32) -> (i32, i32) {
    (
        if pid < 0 { -1 } else { pid },
        if pid == -1 { 0 } else { -1 },
    )
}

/// The image `perf_event_open_probe` sends for a kprobe/uprobe PMU event:
/// `type` from sysfs, `config` = the retprobe bit (if any) and the
/// reference counter offset, `config1` = the address of the function name
/// (kprobe) or binary path (uprobe), `config2` = the offset.
pub fn probe_attr(
    pmu_type: i32,
    retprobe_bit: Option<i32>,
    ref_ctr_off: usize,
    name_addr: u64,
    offset: u64,
) -> Result<PerfAttr> {
    if (ref_ctr_off as u64) >= (1u64 << REF_CTR_OFFSET_SHIFT) {
        return Err(Errno::EINVAL);
    }
    let mut attr = PerfAttr::default();
    let mut config = 0u64;
    if let Some(bit) = retprobe_bit {
        // `attr.config |= 1 << bit;`: an int shift, sign-extended into the
        // u64 (bit 31 sets the whole upper half, as in libbpf).
        config |= (1i32.wrapping_shl(bit as u32)) as i64 as u64;
    }
    attr.put_u32(ATTR_SIZE, PERF_ATTR_SIZE as u32);
    attr.put_u32(ATTR_TYPE, pmu_type as u32);
    config |= (ref_ctr_off as u64) << REF_CTR_OFFSET_SHIFT;
    attr.put_u64(ATTR_CONFIG, config);
    attr.put_u64(ATTR_CONFIG1, name_addr);
    attr.put_u64(ATTR_CONFIG2, offset);
    Ok(attr)
}

/// A tracepoint event (`PERF_TYPE_TRACEPOINT`, `config` = the event id):
/// what `perf_event_open_tracepoint` and the legacy probe openers send.
pub fn tracepoint_attr(id: i32) -> PerfAttr {
    let mut attr = PerfAttr::default();
    attr.put_u32(ATTR_TYPE, PERF_TYPE_TRACEPOINT);
    attr.put_u32(ATTR_SIZE, PERF_ATTR_SIZE as u32);
    // `attr.config = tp_id;` from an int: sign-extended.
    attr.put_u64(ATTR_CONFIG, id as i64 as u64);
    attr
}
