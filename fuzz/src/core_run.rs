//! Runs a case through bpflink's core (`bpflink_core`) with the
//! `FakeKernel` and `CallerBytes`, and reports what happened in the model's
//! terms.

use bpflink_core::Errno;
use bpflink_core::abi;
use bpflink_core::opts::{CallerBytes, OptsImage, OptsKind, Warning};
use bpflink_core::{calls, link_create, raw_tp};
use bpflink_fake::{Answer, Call, FakeKernel};

use crate::case::{Case, Func};
use crate::model::{KCall, MWarn, Outcome};

pub fn kind(f: Func) -> OptsKind {
    match f {
        Func::LinkCreate => abi::LINK_CREATE_OPTS,
        Func::LinkUpdate => abi::LINK_UPDATE_OPTS,
        Func::GetFdByIdOpts => abi::GET_FD_BY_ID_OPTS,
        Func::RawTpOpenOpts => abi::RAW_TP_OPTS,
        Func::ObjPinOpts => abi::OBJ_PIN_OPTS,
        Func::ObjGetOpts => abi::OBJ_GET_OPTS,
    }
}

fn tag(name: &std::ffi::CStr) -> &'static str {
    // The core's type names are 'static C strings from abi.rs; map them to
    // the model's spelling (an unknown one fails the comparison).
    match name.to_bytes() {
        b"bpf_link_create_opts" => "bpf_link_create_opts",
        b"bpf_link_update_opts" => "bpf_link_update_opts",
        b"bpf_get_fd_by_id_opts" => "bpf_get_fd_by_id_opts",
        b"bpf_raw_tp_opts" => "bpf_raw_tp_opts",
        b"bpf_obj_pin_opts" => "bpf_obj_pin_opts",
        b"bpf_obj_get_opts" => "bpf_obj_get_opts",
        _ => "<unknown type name>",
    }
}

pub fn warning(w: Warning) -> MWarn {
    match w {
        Warning::OptsTooSmall { type_name, sz } => MWarn::TooSmall {
            ty: tag(type_name),
            sz,
        },
        Warning::OptsExtraBytes { type_name } => MWarn::ExtraBytes { ty: tag(type_name) },
        Warning::OptsUnreadable { type_name, sz } => MWarn::Unreadable {
            ty: tag(type_name),
            sz,
        },
        Warning::DupFailed { fd, errno } => MWarn::DupFailed { fd, err: errno.0 },
    }
}

pub fn run(c: &Case) -> Outcome {
    let k = FakeKernel::new();
    for a in c.answers {
        k.answer(match a {
            Ok(v) => Answer::ok(v),
            Err(e) => Answer::err(Errno(e)),
        });
    }
    k.dup_answers(c.dup.map_err(Errno));
    let tail = CallerBytes(&c.buf);
    let image = OptsImage::new(kind(c.func), c.sz, &c.buf, &tail);
    let o = (!c.opts_null).then_some(&image);
    let mut log = bpflink_fake::Warnings::new();
    // SAFETY: (the four calls that carry addresses) the fake kernel records
    // addresses and never follows them.
    let r = match c.func {
        Func::LinkCreate => unsafe {
            link_create::link_create(&k, c.a, c.b, c.attach_type, o, &mut log)
        },
        Func::LinkUpdate => calls::link_update(&k, c.a, c.b, o, &mut log),
        Func::GetFdByIdOpts => calls::link_get_fd_by_id(&k, c.a as u32, o, &mut log),
        Func::RawTpOpenOpts => unsafe { raw_tp::raw_tracepoint_open_opts(&k, c.a, o, &mut log) },
        Func::ObjPinOpts => unsafe { calls::obj_pin(&k, c.a, c.path_addr, o, &mut log) },
        Func::ObjGetOpts => unsafe { calls::obj_get(&k, c.path_addr, o, &mut log) },
    };
    Outcome {
        ret: r.map_err(|e| e.0),
        warnings: log.0.into_iter().map(warning).collect(),
        calls: k
            .calls()
            .into_iter()
            .map(|call| match call {
                Call::Bpf { cmd, attr } => KCall::Bpf { cmd, attr },
                Call::DupAboveStdio(fd) => KCall::Dup(fd),
                Call::Close(fd) => KCall::Close(fd),
            })
            .collect(),
    }
}
