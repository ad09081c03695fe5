//! A small CQL2-text parser and evaluator for `filter`: comparisons (= <> < <= > >=),
//! LIKE, IN, BETWEEN, IS NULL, AND / OR / NOT and parentheses over a layer's queryables, with
//! string, number and boolean literals. Comparisons with NULL are unknown (three-valued logic),
//! and only features for which the filter is true are returned.

use super::error::ApiError;
use super::layers::{Layer, PropType};
use serde_json::{Map, Value};
use std::cmp::Ordering;

const MAX_LEN: usize = 8192;
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    Op(&'static str),
    LParen,
    RParen,
    Comma,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Prop(String, PropType),
    Str(String),
    Num(f64),
    Bool(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Cmp(Operand, CmpOp, Operand),
    Like(Operand, String, bool),
    In(Operand, Vec<Operand>, bool),
    Between(Operand, Operand, Operand, bool),
    IsNull(Operand, bool),
    Bool(bool),
}

fn err(msg: impl Into<String>) -> ApiError {
    ApiError::param("filter", msg)
}

fn tokenize(s: &str) -> Result<Vec<Tok>, ApiError> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Tok::LParen);
                i += 1
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1
            }
            '=' => {
                out.push(Tok::Op("="));
                i += 1
            }
            '<' => match chars.get(i + 1) {
                Some('>') => {
                    out.push(Tok::Op("<>"));
                    i += 2
                }
                Some('=') => {
                    out.push(Tok::Op("<="));
                    i += 2
                }
                _ => {
                    out.push(Tok::Op("<"));
                    i += 1
                }
            },
            '>' => {
                if chars.get(i + 1) == Some(&'=') {
                    out.push(Tok::Op(">="));
                    i += 2
                } else {
                    out.push(Tok::Op(">"));
                    i += 1
                }
            }
            '\'' => {
                let mut v = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(err("unterminated string literal")),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            v.push('\'');
                            i += 2
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&ch) => {
                            v.push(ch);
                            i += 1
                        }
                    }
                }
                out.push(Tok::Str(v));
            }
            '"' => {
                let start = i + 1;
                let end = chars[start..]
                    .iter()
                    .position(|&ch| ch == '"')
                    .ok_or_else(|| err("unterminated quoted property name"))?;
                out.push(Tok::Ident(chars[start..start + end].iter().collect()));
                i = start + end + 1;
            }
            c if c.is_ascii_digit()
                || ((c == '-' || c == '+' || c == '.')
                    && chars
                        .get(i + 1)
                        .is_some_and(|d| d.is_ascii_digit() || *d == '.')) =>
            {
                let start = i;
                i += 1;
                while i < chars.len() {
                    let d = chars[i];
                    let exp_sign = (d == '-' || d == '+') && matches!(chars[i - 1], 'e' | 'E');
                    if d.is_ascii_digit() || d == '.' || d == 'e' || d == 'E' || exp_sign {
                        i += 1
                    } else {
                        break;
                    }
                }
                let text: String = chars[start..i].iter().collect();
                let n: f64 = text
                    .parse()
                    .map_err(|_| err(format!("'{text}' is not a number")))?;
                if !n.is_finite() {
                    return Err(err(format!("'{text}' is not a finite number")));
                }
                out.push(Tok::Num(n));
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '.' | ':'))
                {
                    i += 1
                }
                out.push(Tok::Ident(chars[start..i].iter().collect()));
            }
            other => return Err(err(format!("unexpected character '{other}'"))),
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    layer: &'a Layer,
    depth: usize,
}

fn is_kw(t: Option<&Tok>, kw: &str) -> bool {
    matches!(t, Some(Tok::Ident(s)) if s.eq_ignore_ascii_case(kw))
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        if is_kw(self.peek(), kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, t: Tok, what: &str) -> Result<(), ApiError> {
        match self.next() {
            Some(x) if x == t => Ok(()),
            Some(x) => Err(err(format!("expected {what}, found {}", show(&x)))),
            None => Err(err(format!("expected {what}, found the end of the filter"))),
        }
    }

    fn or(&mut self) -> Result<Expr, ApiError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err("the filter nests too deeply"));
        }
        let mut e = self.and()?;
        while self.eat_kw("OR") {
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        self.depth -= 1;
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr, ApiError> {
        let mut e = self.not()?;
        while self.eat_kw("AND") {
            e = Expr::And(Box::new(e), Box::new(self.not()?));
        }
        Ok(e)
    }

    fn not(&mut self) -> Result<Expr, ApiError> {
        if self.eat_kw("NOT") {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(err("the filter nests too deeply"));
            }
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, ApiError> {
        if self.peek() == Some(&Tok::LParen) {
            self.pos += 1;
            let e = self.or()?;
            self.expect(Tok::RParen, "')'")?;
            return Ok(e);
        }
        let left = self.operand()?;
        // A bare boolean literal or boolean property is a predicate on its own.
        let ends = matches!(self.peek(), None | Some(Tok::RParen))
            || is_kw(self.peek(), "AND")
            || is_kw(self.peek(), "OR");
        if ends {
            return match left {
                Operand::Bool(b) => Ok(Expr::Bool(b)),
                Operand::Prop(name, PropType::Boolean) => Ok(Expr::Cmp(
                    Operand::Prop(name, PropType::Boolean),
                    CmpOp::Eq,
                    Operand::Bool(true),
                )),
                _ => Err(err("expected a comparison after the operand")),
            };
        }
        let negated = self.eat_kw("NOT");
        if self.eat_kw("LIKE") {
            let pat = match self.next() {
                Some(Tok::Str(s)) => s,
                _ => return Err(err("LIKE needs a string pattern")),
            };
            check_text(&left, "LIKE")?;
            return Ok(Expr::Like(left, pat, negated));
        }
        if self.eat_kw("IN") {
            self.expect(Tok::LParen, "'(' after IN")?;
            let mut list = vec![self.literal()?];
            while self.peek() == Some(&Tok::Comma) {
                self.pos += 1;
                list.push(self.literal()?);
            }
            self.expect(Tok::RParen, "')' closing the IN list")?;
            for l in &list {
                check_types(&left, l)?;
            }
            return Ok(Expr::In(left, list, negated));
        }
        if self.eat_kw("BETWEEN") {
            let lo = self.literal()?;
            if !self.eat_kw("AND") {
                return Err(err("BETWEEN needs 'AND'"));
            }
            let hi = self.literal()?;
            check_types(&left, &lo)?;
            check_types(&left, &hi)?;
            return Ok(Expr::Between(left, lo, hi, negated));
        }
        if negated {
            return Err(err("NOT here must be followed by LIKE, IN or BETWEEN"));
        }
        if self.eat_kw("IS") {
            let not = self.eat_kw("NOT");
            if !self.eat_kw("NULL") {
                return Err(err("IS must be followed by NULL or NOT NULL"));
            }
            return Ok(Expr::IsNull(left, not));
        }
        let op = match self.next() {
            Some(Tok::Op(o)) => match o {
                "=" => CmpOp::Eq,
                "<>" => CmpOp::Ne,
                "<" => CmpOp::Lt,
                "<=" => CmpOp::Le,
                ">" => CmpOp::Gt,
                _ => CmpOp::Ge,
            },
            Some(t) => {
                return Err(err(format!(
                    "expected a comparison operator, found {}",
                    show(&t)
                )))
            }
            None => {
                return Err(err(
                    "expected a comparison operator, found the end of the filter",
                ))
            }
        };
        let right = self.operand()?;
        check_types(&left, &right)?;
        Ok(Expr::Cmp(left, op, right))
    }

    fn literal(&mut self) -> Result<Operand, ApiError> {
        match self.operand()? {
            Operand::Prop(name, _) => {
                Err(err(format!("expected a literal, found property '{name}'")))
            }
            o => Ok(o),
        }
    }

    fn operand(&mut self) -> Result<Operand, ApiError> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(Operand::Str(s)),
            Some(Tok::Num(n)) => Ok(Operand::Num(n)),
            Some(Tok::Ident(s)) if s.eq_ignore_ascii_case("true") => Ok(Operand::Bool(true)),
            Some(Tok::Ident(s)) if s.eq_ignore_ascii_case("false") => Ok(Operand::Bool(false)),
            Some(Tok::Ident(s)) => {
                const RESERVED: [&str; 8] =
                    ["AND", "OR", "NOT", "LIKE", "IN", "IS", "NULL", "BETWEEN"];
                if RESERVED.iter().any(|k| s.eq_ignore_ascii_case(k)) {
                    return Err(err(format!("unexpected keyword {s}")));
                }
                match self.layer.queryable(&s) {
                    Some(q) => Ok(Operand::Prop(s, q.ty)),
                    None => Err(err(format!(
                        "'{s}' is not a queryable of collection '{}' (see /collections/{}/queryables)",
                        self.layer.id, self.layer.id
                    ))),
                }
            }
            Some(t) => Err(err(format!(
                "expected a property or a literal, found {}",
                show(&t)
            ))),
            None => Err(err("unexpected end of the filter")),
        }
    }
}

fn show(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("'{s}'"),
        Tok::Str(s) => format!("'{s}' (string)"),
        Tok::Num(n) => n.to_string(),
        Tok::Op(o) => format!("'{o}'"),
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
        Tok::Comma => "','".into(),
    }
}

fn kind_of(o: &Operand) -> PropType {
    match o {
        Operand::Prop(_, t) => *t,
        Operand::Str(_) => PropType::String,
        Operand::Num(_) => PropType::Number,
        Operand::Bool(_) => PropType::Boolean,
    }
}

fn numeric(t: PropType) -> bool {
    matches!(t, PropType::Number | PropType::Integer)
}

fn check_types(a: &Operand, b: &Operand) -> Result<(), ApiError> {
    let (ta, tb) = (kind_of(a), kind_of(b));
    if ta == tb || (numeric(ta) && numeric(tb)) {
        return Ok(());
    }
    let name = |o: &Operand| match o {
        Operand::Prop(n, t) => format!("property '{n}' ({})", t.as_str()),
        Operand::Str(s) => format!("'{s}' (string)"),
        Operand::Num(n) => format!("{n} (number)"),
        Operand::Bool(b) => format!("{b} (boolean)"),
    };
    Err(err(format!("cannot compare {} with {}", name(a), name(b))))
}

fn check_text(o: &Operand, op: &str) -> Result<(), ApiError> {
    if kind_of(o) == PropType::String {
        Ok(())
    } else {
        Err(err(format!("{op} applies to text properties only")))
    }
}

/// Parses `filter` (CQL2 text) against a layer's queryables.
pub fn parse(text: &str, layer: &Layer) -> Result<Expr, ApiError> {
    if text.len() > MAX_LEN {
        return Err(err(format!("longer than {MAX_LEN} bytes")));
    }
    let toks = tokenize(text)?;
    if toks.is_empty() {
        return Err(err("empty filter"));
    }
    let mut p = Parser {
        toks,
        pos: 0,
        layer,
        depth: 0,
    };
    let e = p.or()?;
    if let Some(t) = p.peek() {
        return Err(err(format!(
            "unexpected {} after a complete expression",
            show(t)
        )));
    }
    Ok(e)
}

fn value<'a>(o: &'a Operand, props: &'a Map<String, Value>) -> Option<Val<'a>> {
    match o {
        Operand::Prop(n, _) => match props.get(n) {
            Some(Value::String(s)) => Some(Val::Str(s)),
            Some(Value::Number(x)) => x.as_f64().map(Val::Num),
            Some(Value::Bool(b)) => Some(Val::Bool(*b)),
            _ => None,
        },
        Operand::Str(s) => Some(Val::Str(s)),
        Operand::Num(n) => Some(Val::Num(*n)),
        Operand::Bool(b) => Some(Val::Bool(*b)),
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Val<'a> {
    Str(&'a str),
    Num(f64),
    Bool(bool),
}

fn compare(a: Val, b: Val) -> Option<Ordering> {
    match (a, b) {
        (Val::Str(x), Val::Str(y)) => Some(x.cmp(y)),
        (Val::Num(x), Val::Num(y)) => x.partial_cmp(&y),
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(&y)),
        _ => None,
    }
}

/// `%` any run, `_` one character, `\` escapes the next character.
fn like(text: &str, pattern: &str) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum P {
        Any,
        One,
        Ch(char),
    }
    let mut pat = Vec::new();
    let mut it = pattern.chars();
    while let Some(c) = it.next() {
        pat.push(match c {
            '%' => P::Any,
            '_' => P::One,
            '\\' => P::Ch(it.next().unwrap_or('\\')),
            c => P::Ch(c),
        });
    }
    // cur[j]: the first j pattern items match the text read so far.
    let n = pat.len();
    let mut cur = vec![false; n + 1];
    cur[0] = true;
    for j in 1..=n {
        cur[j] = cur[j - 1] && pat[j - 1] == P::Any;
    }
    for c in text.chars() {
        let mut next = vec![false; n + 1];
        for j in 1..=n {
            next[j] = match pat[j - 1] {
                P::Any => next[j - 1] || cur[j],
                P::One => cur[j - 1],
                P::Ch(p) => cur[j - 1] && p == c,
            };
        }
        cur = next;
    }
    cur[n]
}

impl Expr {
    /// Three-valued evaluation: `None` is unknown (a NULL took part).
    pub fn eval(&self, props: &Map<String, Value>) -> Option<bool> {
        match self {
            Expr::Bool(b) => Some(*b),
            Expr::And(a, b) => match (a.eval(props), b.eval(props)) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            },
            Expr::Or(a, b) => match (a.eval(props), b.eval(props)) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            },
            Expr::Not(a) => a.eval(props).map(|b| !b),
            Expr::Cmp(a, op, b) => {
                let ord = compare(value(a, props)?, value(b, props)?)?;
                Some(match op {
                    CmpOp::Eq => ord == Ordering::Equal,
                    CmpOp::Ne => ord != Ordering::Equal,
                    CmpOp::Lt => ord == Ordering::Less,
                    CmpOp::Le => ord != Ordering::Greater,
                    CmpOp::Gt => ord == Ordering::Greater,
                    CmpOp::Ge => ord != Ordering::Less,
                })
            }
            Expr::Like(a, pat, neg) => match value(a, props)? {
                Val::Str(s) => Some(like(s, pat) != *neg),
                _ => None,
            },
            Expr::In(a, list, neg) => {
                let v = value(a, props)?;
                let found = list
                    .iter()
                    .filter_map(|l| value(l, props))
                    .any(|l| compare(v, l) == Some(Ordering::Equal));
                Some(found != *neg)
            }
            Expr::Between(a, lo, hi, neg) => {
                let v = value(a, props)?;
                let ge = compare(v, value(lo, props)?)? != Ordering::Less;
                let le = compare(v, value(hi, props)?)? != Ordering::Greater;
                Some((ge && le) != *neg)
            }
            Expr::IsNull(a, not) => Some(value(a, props).is_none() != *not),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::layers::{LayerFeature, Queryable};
    use serde_json::json;

    fn layer() -> Layer {
        Layer {
            id: "t".into(),
            title: String::new(),
            description: String::new(),
            features: Vec::<LayerFeature>::new(),
            by_id: Default::default(),
            extent: None,
            queryables: vec![
                Queryable {
                    name: "status".into(),
                    ty: PropType::String,
                    values: None,
                },
                Queryable {
                    name: "year".into(),
                    ty: PropType::Integer,
                    values: None,
                },
                Queryable {
                    name: "name_en".into(),
                    ty: PropType::String,
                    values: None,
                },
            ],
        }
    }

    fn props(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn evaluates_basic_cql2() {
        let l = layer();
        let p = props(
            json!({"status": "planned", "year": 2025, "name_en": "Erqi Square", "note": null}),
        );
        let yes = [
            "status = 'planned'",
            "status <> 'existing' AND year >= 2020",
            "NOT (status = 'existing') OR year < 0",
            "name_en LIKE 'Erqi%'",
            "name_en LIKE '_rqi Squ%e'",
            "status IN ('planned', 'proposed')",
            "year BETWEEN 2020 AND 2030",
            "year > -1.5e1",
            "\"status\" = 'planned'",
            "status not in ('existing')",
        ];
        for f in yes {
            assert_eq!(parse(f, &l).unwrap().eval(&p), Some(true), "{f}");
        }
        let p2 = props(json!({"status": "existing", "year": null, "name_en": "O'Brien"}));
        assert_eq!(parse("year IS NULL", &l).unwrap().eval(&p2), Some(true));
        assert_eq!(parse("year > 2000", &l).unwrap().eval(&p2), None);
        assert_eq!(
            parse("name_en = 'O''Brien'", &l).unwrap().eval(&p2),
            Some(true)
        );
        for bad in [
            "",
            "status =",
            "status = 'x' AND",
            "(status = 'x'",
            "nope = 1",
            "year = 'x'",
            "status > 3",
            "status == 'x'",
            "year LIKE '1%'",
            "status = 'unterminated",
            "status IN ()",
            "status = 'a' 'b'",
        ] {
            assert!(parse(bad, &l).is_err(), "{bad}");
        }
        let deep = format!("{}status = 'x'{}", "(".repeat(200), ")".repeat(200));
        assert!(parse(&deep, &l).is_err());
    }

    #[test]
    fn like_matches() {
        assert!(like("abc", "a%"));
        assert!(like("abc", "%c"));
        assert!(like("abc", "%"));
        assert!(like("", "%"));
        assert!(!like("abc", "a_"));
        assert!(like("a%c", "a\\%c"));
        assert!(!like("abc", "a\\%c"));
        assert!(like("郑州东站", "郑州%站"));
    }
}
