//! `format` and `formatlist`'s `%` verbs, as Go's `fmt` (which Terraform uses) reads them.

use serde_json::Value;

use super::args::{Args, FnError};
use super::encoding::json_encode;
use super::value::{Num, conv_bool, conv_num, conv_string, describe};
use crate::config::limits;

/// Largest `indent` and format width/precision we accept: bigger ones are mistakes and
/// would only allocate.
pub(super) const MAX_PAD: usize = 10_000;

/// How a formatted value fills its width.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Align {
    #[default]
    Right,
    /// The `-` flag.
    Left,
    /// The `0` flag (without `-`).
    ZeroPad,
}

/// One `%` verb's flags, width and precision.
#[derive(Debug, Default, Clone, Copy)]
struct Verb {
    align: Align,
    /// `+` or ` ` (the `+` flag wins).
    sign: Option<char>,
    /// The `#` flag.
    sharp: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// Terraform's `format`: `spec` with `args` (which are the function's arguments 1..).
pub(super) fn format_values(a: &Args<'_>, spec: &str, args: &[Value]) -> Result<String, FnError> {
    let spec_err = |detail: String| a.err_with(Some(0), "invalid format string", detail);
    let mut out = String::new();
    let mut it = spec.char_indices().peekable();
    let mut next_arg = 0usize;
    let mut highest = 0usize;
    while let Some((start, c)) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let (v, index) = parse_verb(&mut it, start).map_err(spec_err)?;
        let Some((at, mode)) = it.next() else {
            return Err(spec_err(format!("unterminated verb at offset {start}")));
        };
        let raw = spec.get(start..at + mode.len_utf8()).unwrap_or("%");
        if v.width.unwrap_or(0) > MAX_PAD || v.prec.unwrap_or(0) > MAX_PAD {
            return Err(spec_err(format!(
                "width or precision in \"{raw}\" is larger than {MAX_PAD}"
            )));
        }
        if mode == '%' {
            out.push('%');
            continue;
        }
        if !"vtbdoxXeEfFgGsq".contains(mode) {
            return Err(spec_err(format!("unsupported verb \"{raw}\"")));
        }
        let idx = index.unwrap_or(next_arg);
        next_arg = idx.saturating_add(1);
        highest = highest.max(next_arg);
        let Some(arg) = args.get(idx) else {
            return Err(a.err_with(
                Some(0),
                "not enough arguments for the format string",
                format!(
                    "not enough arguments for \"{raw}\": needs argument {next_arg}, have {}",
                    args.len()
                ),
            ));
        };
        let piece = format_one(&v, mode, raw, arg)
            .map_err(|m| a.err_with(Some(idx + 1), "an argument does not fit its verb", m))?;
        out.push_str(&piece);
        limits::check_string(out.len()).map_err(|l| a.limit(Some(0), l))?;
    }
    if highest < args.len() {
        let msg = if highest == 0 {
            "too many arguments; the format string has no verbs".to_owned()
        } else {
            format!("too many arguments; the format string uses only {highest}")
        };
        return Err(a.err_with(
            Some(highest + 1),
            "too many arguments for the format string",
            msg,
        ));
    }
    Ok(out)
}

type Chars<'s> = std::iter::Peekable<std::str::CharIndices<'s>>;

/// Flags, `[n]` argument index, width and precision of the verb starting at byte offset
/// `start` (the iterator is just past its `%`); the index is 0-based.
fn parse_verb(it: &mut Chars<'_>, start: usize) -> Result<(Verb, Option<usize>), String> {
    let mut v = Verb::default();
    let (mut minus, mut zero, mut plus, mut space) = (false, false, false, false);
    while let Some(&(_, flag)) = it.peek() {
        match flag {
            '-' => minus = true,
            '+' => plus = true,
            '#' => v.sharp = true,
            ' ' => space = true,
            '0' => zero = true,
            _ => break,
        }
        it.next();
    }
    v.align = match (minus, zero) {
        (true, _) => Align::Left,
        (false, true) => Align::ZeroPad,
        (false, false) => Align::Right,
    };
    v.sign = if plus {
        Some('+')
    } else if space {
        Some(' ')
    } else {
        None
    };
    let read_index = |it: &mut Chars<'_>, index: &mut Option<usize>| {
        if it.peek().map(|&(_, c)| c) != Some('[') {
            return Ok(());
        }
        it.next();
        match (read_digits(it), it.next()) {
            (Some(n), Some((_, ']'))) if n >= 1 => {
                *index = Some(n - 1);
                Ok(())
            }
            _ => Err(format!("bad argument index in verb at offset {start}")),
        }
    };
    let mut index = None;
    read_index(it, &mut index)?;
    v.width = read_digits(it);
    if it.peek().map(|&(_, c)| c) == Some('.') {
        it.next();
        v.prec = Some(read_digits(it).unwrap_or(0));
    }
    read_index(it, &mut index)?;
    Ok((v, index))
}

/// Digits at the iterator, as a number (saturating); None if there are none.
fn read_digits(it: &mut Chars<'_>) -> Option<usize> {
    let mut n: Option<usize> = None;
    while let Some(&(_, c)) = it.peek() {
        let Some(d) = c.to_digit(10) else { break };
        n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d as usize));
        it.next();
    }
    n
}

/// Pads to the verb's width (in characters).
fn pad(v: &Verb, s: String) -> String {
    let len = s.chars().count();
    let Some(width) = v.width.filter(|&w| w > len) else {
        return s;
    };
    let fill = if v.align == Align::ZeroPad { '0' } else { ' ' };
    let pads: String = std::iter::repeat_n(fill, width - len).collect();
    if v.align == Align::Left {
        s + &pads
    } else {
        pads + &s
    }
}

/// Pads a number: sign and prefix first, zero padding (if asked) between them and digits.
fn pad_number(v: &Verb, neg: bool, prefix: &str, digits: &str, allow_zero: bool) -> String {
    let sign = if neg { Some('-') } else { v.sign };
    let head: String = sign.into_iter().chain(prefix.chars()).collect();
    let len = head.chars().count() + digits.chars().count();
    match v.width {
        Some(w) if w > len && v.align == Align::ZeroPad && allow_zero => {
            format!("{head}{}{digits}", "0".repeat(w - len))
        }
        _ => {
            let align = if v.align == Align::Left {
                Align::Left
            } else {
                Align::Right
            };
            pad(&Verb { align, ..*v }, head + digits)
        }
    }
}

fn format_one(v: &Verb, mode: char, raw: &str, arg: &Value) -> Result<String, String> {
    let needs = |what: &str| format!("\"{raw}\" needs {what}, got {}", describe(arg));
    match mode {
        'v' => Ok(pad(
            v,
            match arg {
                Value::String(s) if !v.sharp => s.clone(),
                Value::Number(n) if !v.sharp => match Num::of(n) {
                    // Terraform prints %v numbers as %g; integers read better as digits.
                    Num::Int(i) => i.to_string(),
                    Num::Float(f) => {
                        let body = fmt_g(f.abs(), None, false);
                        if f < 0.0 { format!("-{body}") } else { body }
                    }
                },
                other => json_encode(other),
            },
        )),
        't' => conv_bool(arg)
            .map(|b| pad(v, b.to_string()))
            .ok_or_else(|| needs("a bool")),
        's' | 'q' => {
            let mut s = conv_string(arg).ok_or_else(|| needs("a string"))?;
            if let Some(p) = v.prec.filter(|&p| p > 0) {
                s = s.chars().take(p).collect();
            }
            if mode == 'q' {
                s = json_encode(&Value::String(s));
            }
            Ok(pad(v, s))
        }
        'b' | 'd' | 'o' | 'x' | 'X' => {
            let n = conv_num(arg).ok_or_else(|| needs("a number"))?;
            let (neg, digits) = match n {
                Num::Int(i) => {
                    let m = i.unsigned_abs();
                    let digits = match mode {
                        'b' => format!("{m:b}"),
                        'o' => format!("{m:o}"),
                        'x' => format!("{m:x}"),
                        'X' => format!("{m:X}"),
                        _ => m.to_string(),
                    };
                    (i < 0, digits)
                }
                Num::Float(f) if f.is_finite() && f.fract() == 0.0 && mode == 'd' => {
                    (f < 0.0, format!("{:.0}", f.abs()))
                }
                Num::Float(_) => return Err(needs("a whole number")),
            };
            let digits = match v.prec {
                Some(p) if p > digits.len() => format!("{}{digits}", "0".repeat(p - digits.len())),
                _ => digits,
            };
            let prefix = match (v.sharp, mode) {
                (true, 'b') => "0b",
                (true, 'o') => "0",
                (true, 'x') => "0x",
                (true, 'X') => "0X",
                _ => "",
            };
            Ok(pad_number(v, neg, prefix, &digits, v.prec.is_none()))
        }
        _ => {
            // e E f F g G
            let f = conv_num(arg).ok_or_else(|| needs("a number"))?.f64();
            let x = f.abs();
            let body = match mode {
                'e' | 'E' => fmt_e(x, v.prec.unwrap_or(6), mode == 'E'),
                'g' | 'G' => fmt_g(x, v.prec, mode == 'G'),
                _ => format!("{x:.prec$}", prec = v.prec.unwrap_or(6)),
            };
            let neg = f.is_sign_negative() && f != 0.0;
            Ok(pad_number(v, neg, "", &body, true))
        }
    }
}

/// `%e` of a non-negative number: Go's form, `1.500000e+00`.
fn fmt_e(x: f64, prec: usize, upper: bool) -> String {
    let s = format!("{x:.prec$e}");
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    exp_form(mant, exp.parse().unwrap_or(0), upper)
}

fn exp_form(mant: &str, exp: i32, upper: bool) -> String {
    let e = if upper { 'E' } else { 'e' };
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mant}{e}{sign}{:02}", exp.unsigned_abs())
}

/// `%g` of a non-negative number, following Go: shortest digits without a precision,
/// exponent form when the exponent is below -4 or at least the precision (6 when shortest).
fn fmt_g(x: f64, prec: Option<usize>, upper: bool) -> String {
    if x == 0.0 {
        return "0".to_owned();
    }
    let p_sig = prec.map(|p| p.max(1));
    let s = match p_sig {
        None => format!("{x:e}"),
        Some(p) => format!("{x:.prec$e}", prec = p - 1),
    };
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let mut digits: Vec<char> = mant.chars().filter(char::is_ascii_digit).collect();
    while digits.len() > 1 && digits.last() == Some(&'0') {
        digits.pop();
    }
    let nd = i64::try_from(digits.len()).unwrap_or(i64::MAX);
    let dp = exp + 1;
    let mut p = p_sig.map_or(nd, |p| i64::try_from(p).unwrap_or(i64::MAX));
    let mut eprec = p;
    if eprec > nd && nd >= dp {
        eprec = nd;
    }
    if p_sig.is_none() {
        eprec = 6;
    }
    if exp < -4 || exp >= eprec {
        p = p.min(nd);
        let mut mant: String = digits.first().copied().unwrap_or('0').to_string();
        if p > 1 {
            mant.push('.');
            mant.extend(digits.iter().take(usize::try_from(p).unwrap_or(0)).skip(1));
        }
        return exp_form(&mant, i32::try_from(exp).unwrap_or(0), upper);
    }
    if p > dp {
        p = nd;
    }
    let decimals = (p - dp).max(0);
    let digit = |i: i64| {
        usize::try_from(i)
            .ok()
            .and_then(|i| digits.get(i))
            .copied()
            .unwrap_or('0')
    };
    let mut out: String = if dp > 0 {
        (0..dp).map(digit).collect()
    } else {
        "0".to_owned()
    };
    if decimals > 0 {
        out.push('.');
        out.extend((dp..dp + decimals).map(digit));
    }
    out
}
