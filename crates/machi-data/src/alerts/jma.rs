//! JMA 防災情報XML messages → [`Alert`]s.
//!
//! Dispatch is on `Head/InfoKind`: 気象警報・注意報 (H27 VPWW53/54 and R06 VPWW55/56/61 …),
//! 震度速報 / 震源速報 / 地震情報 / 長周期地震動 (VXSE5x, VXSE62), 緊急地震速報 (VXSE43 …),
//! 津波警報・注意報・予報 (VTSE41), 津波情報 (VTSE51). Other products that summarise their kinds and
//! areas in `Head/Headline/Information` (土砂災害警戒情報, 指定河川洪水予報, 竜巻注意情報, 記録的短時間
//! 大雨情報, 噴火警報・予報 …) are read from that summary. Products without area-coded content
//! (府県天気予報, 府県気象情報) are refused by name: they are forecasts, not alerts.
//!
//! JMA messages carry no id of their own: the caller passes the Atom entry id (or file name) as
//! `message_id`. 取消 and 訂正 refer to the earlier message of the same series and EventID, which
//! [`super::state`] resolves.

use super::codes;
use super::error::AlertError;
use super::model::*;
use super::xml::{self, time, Element, XmlDoc, XmlLimits};
use crate::text::LocalizedText;
use chrono::{DateTime, FixedOffset};

/// The namespace of a JMA report's root `<Report>`.
pub const JMA_NAMESPACE: &str = "http://xml.kishou.go.jp/jmaxml1/";

/// Parses one JMA message with the default limits. `message_id` names it (Atom entry id or file).
pub fn parse_jma(bytes: &[u8], message_id: &str) -> Result<Vec<Alert>, AlertError> {
    parse_jma_with(bytes, message_id, &XmlLimits::default())
}

/// Parses one JMA message under `limits`.
pub fn parse_jma_with(
    bytes: &[u8],
    message_id: &str,
    limits: &XmlLimits,
) -> Result<Vec<Alert>, AlertError> {
    let doc = xml::parse(bytes, message_id, limits)?;
    doc.expect_root("Report", &[JMA_NAMESPACE])?;
    let head = Head::read(&doc, message_id)?;
    let body = doc.root.child("Body");
    let mut out = Vec::new();
    if head.status == AlertStatus::Cancelled {
        let mut a = head.alert(String::new(), String::new(), 0);
        a.severity = Severity::Information;
        a.original_text =
            LocalizedText::ja(body.and_then(|b| b.text_at(&["Text"])).unwrap_or_default());
        out.push(a);
        return Ok(out);
    }
    match head.info_kind.as_str() {
        "気象警報・注意報" => weather_warnings(&doc, &head, body, &mut out)?,
        "震度速報"
        | "震源速報"
        | "地震情報"
        | "長周期地震動に関する観測情報"
        | "顕著な地震の震源要素更新のお知らせ" => {
            out.push(earthquake(&doc, &head, body)?)
        }
        "緊急地震速報" => out.push(eew(&doc, &head, body)?),
        "津波警報・注意報・予報" | "津波情報" | "沖合の津波観測に関する情報" => {
            tsunami(&doc, &head, body, &mut out)?
        }
        _ => headline_information(&doc, &head, &mut out)?,
    }
    Ok(out)
}

/// The parts of `Control` and `Head` every alert carries.
struct Head {
    message_id: String,
    control_title: String,
    head_title: String,
    issuer: String,
    test: bool,
    issued_at: DateTime<FixedOffset>,
    valid_until: Option<DateTime<FixedOffset>>,
    event_id: Option<String>,
    status: AlertStatus,
    info_kind: String,
    headline: String,
    headline_el: Option<Element>,
}

impl Head {
    fn read(doc: &XmlDoc<'_>, message_id: &str) -> Result<Self, AlertError> {
        let root = &doc.root;
        let control = root
            .child("Control")
            .ok_or_else(|| doc.err("Report/Control", Some(root), "missing <Control>"))?;
        let head = root
            .child("Head")
            .ok_or_else(|| doc.err("Report/Head", Some(root), "missing <Head>"))?;
        let control_title = control
            .text_at(&["Title"])
            .ok_or_else(|| doc.err("Report/Control/Title", Some(control), "missing title"))?
            .to_owned();
        let issued_el = head.child("ReportDateTime").ok_or_else(|| {
            doc.err(
                "Report/Head/ReportDateTime",
                Some(head),
                "missing report time",
            )
        })?;
        let issued_at = time(doc, issued_el, "Report/Head/ReportDateTime")?;
        let valid_until = match head.child("ValidDateTime") {
            Some(e) if !e.trimmed().is_empty() => Some(time(doc, e, "Report/Head/ValidDateTime")?),
            _ => None,
        };
        let info_type_el = head
            .child("InfoType")
            .ok_or_else(|| doc.err("Report/Head/InfoType", Some(head), "missing <InfoType>"))?;
        let status = match info_type_el.trimmed() {
            "発表" | "遅延" => AlertStatus::Issued,
            "訂正" => AlertStatus::Corrected,
            "取消" => AlertStatus::Cancelled,
            other => {
                return Err(doc.err(
                    "Report/Head/InfoType",
                    Some(info_type_el),
                    format!("unknown InfoType {other:?}"),
                ))
            }
        };
        let info_kind = head
            .text_at(&["InfoKind"])
            .ok_or_else(|| doc.err("Report/Head/InfoKind", Some(head), "missing <InfoKind>"))?
            .to_owned();
        Ok(Self {
            message_id: message_id.to_owned(),
            issuer: control
                .text_at(&["EditorialOffice"])
                .unwrap_or_default()
                .to_owned(),
            test: control.text_at(&["Status"]).is_some_and(|s| s != "通常"),
            head_title: head.text_at(&["Title"]).unwrap_or_default().to_owned(),
            control_title,
            issued_at,
            valid_until,
            event_id: head.text_at(&["EventID"]).map(str::to_owned),
            status,
            info_kind,
            headline: head
                .text_at(&["Headline", "Text"])
                .unwrap_or_default()
                .to_owned(),
            headline_el: head.child("Headline").cloned(),
        })
    }

    fn source_kind(&self) -> AlertSourceKind {
        match self.info_kind.as_str() {
            "気象警報・注意報"
                if self.control_title.contains("Ｒ０６") || self.control_title.contains("R06") =>
            {
                AlertSourceKind::JmaWeatherWarningR06
            }
            "気象警報・注意報" => AlertSourceKind::JmaWeatherWarningH27,
            "緊急地震速報" => AlertSourceKind::JmaEew,
            "震度速報"
            | "震源速報"
            | "地震情報"
            | "長周期地震動に関する観測情報"
            | "顕著な地震の震源要素更新のお知らせ" => {
                AlertSourceKind::JmaEarthquake
            }
            "津波警報・注意報・予報" => AlertSourceKind::JmaTsunami,
            "津波情報" | "沖合の津波観測に関する情報" => {
                AlertSourceKind::JmaTsunamiInfo
            }
            _ => AlertSourceKind::JmaInformation,
        }
    }

    /// The series: a later message of the same series restates (or cancels) an earlier one.
    fn series(&self) -> String {
        let ev = self.event_id.as_deref().unwrap_or("");
        match self.source_kind() {
            AlertSourceKind::JmaWeatherWarningH27 | AlertSourceKind::JmaWeatherWarningR06 => {
                format!("{}|{}", self.control_title, self.head_title)
            }
            // One nationwide state: each VTSE41 lists every area under a tsunami forecast.
            AlertSourceKind::JmaTsunami => self.control_title.clone(),
            AlertSourceKind::JmaEarthquake
            | AlertSourceKind::JmaEew
            | AlertSourceKind::JmaTsunamiInfo => {
                format!("{}|{ev}", self.control_title)
            }
            _ => format!("{}|{}|{ev}", self.control_title, self.head_title),
        }
    }

    fn alert(&self, kind_code: String, kind_name: String, n: usize) -> Alert {
        Alert {
            id: format!("{}#{n}", self.message_id),
            message_id: self.message_id.clone(),
            series: self.series(),
            event_id: self.event_id.clone(),
            issuer: self.issuer.clone(),
            source_kind: self.source_kind(),
            kind_code,
            kind_name,
            severity: Severity::Information,
            level: None,
            status: self.status,
            test: self.test,
            issued_at: self.issued_at,
            valid_until: self.valid_until,
            areas: Vec::new(),
            polygons: Vec::new(),
            headline: LocalizedText::ja(self.headline.clone()),
            original_text: LocalizedText::ja(self.headline.clone()),
            replaces: Vec::new(),
            earthquake: None,
            tsunami: Vec::new(),
        }
    }
}

fn opt_time(el: Option<&Element>) -> Option<DateTime<FixedOffset>> {
    el.and_then(|e| DateTime::parse_from_rfc3339(e.trimmed()).ok())
}

/// Combines the status of the message (訂正) with the status of one kind in one area.
fn item_status(head: &Head, kind_status: &str) -> Option<AlertStatus> {
    let s = match kind_status {
        "解除" => AlertStatus::Lifted,
        "継続" => AlertStatus::Continued,
        "発表警報・注意報はなし" | "" => return None,
        // 発表, and changes such as 特別警報から警報 / 警報から注意報: newly in force.
        _ => AlertStatus::Issued,
    };
    Some(
        if head.status == AlertStatus::Corrected && s != AlertStatus::Lifted {
            AlertStatus::Corrected
        } else {
            s
        },
    )
}

fn weather_warnings(
    doc: &XmlDoc<'_>,
    head: &Head,
    body: Option<&Element>,
    out: &mut Vec<Alert>,
) -> Result<(), AlertError> {
    let body = body.ok_or_else(|| doc.err("Report/Body", Some(&doc.root), "missing <Body>"))?;
    let warnings: Vec<&Element> = body.children_named("Warning").collect();
    // The finest level present: 市町村等 when the message has it (it always does in H27/R06).
    let block = warnings
        .iter()
        .find(|w| w.attr("type").is_some_and(|t| t.ends_with("（市町村等）")))
        .or(warnings.last())
        .ok_or_else(|| doc.err("Report/Body/Warning", Some(body), "no <Warning> block"))?;
    let r06 = head.source_kind() == AlertSourceKind::JmaWeatherWarningR06;
    // (code, status) → (name, areas), in first-seen order.
    let mut groups: Vec<(String, AlertStatus, String, Vec<AreaCode>)> = Vec::new();
    let mut none_areas: Vec<AreaCode> = Vec::new();
    for item in block.children_named("Item") {
        let Some(area) = item.text_at(&["Area", "Code"]) else {
            return Err(doc.err(
                "Report/Body/Warning/Item/Area/Code",
                Some(item),
                "item without area code",
            ));
        };
        let area = AreaCode::new(area);
        for kind in item.children_named("Kind") {
            let status_text = kind.text_at(&["Status"]).unwrap_or_default();
            let Some(status) = item_status(head, status_text) else {
                if !none_areas.contains(&area) {
                    none_areas.push(area.clone());
                }
                continue;
            };
            let Some(code) = kind.text_at(&["Code"]) else {
                return Err(doc.err(
                    "Report/Body/Warning/Item/Kind/Code",
                    Some(kind),
                    "kind without code",
                ));
            };
            let name = kind
                .text_at(&["Name"])
                .map(str::to_owned)
                .or_else(|| {
                    super::names::weather_warning_name(code, r06)
                        .map(|n| n.source_text().to_owned())
                })
                .unwrap_or_default();
            match groups.iter_mut().find(|g| g.0 == code && g.1 == status) {
                Some(g) => {
                    if !g.3.contains(&area) {
                        g.3.push(area.clone())
                    }
                }
                None => groups.push((code.to_owned(), status, name, vec![area.clone()])),
            }
        }
    }
    for (code, status, name, areas) in groups {
        let (severity, level) = codes::weather_warning_severity(&code, &name);
        let mut a = head.alert(code, name, out.len());
        a.severity = severity;
        a.level = level;
        a.status = status;
        a.areas = areas;
        out.push(a);
    }
    if !none_areas.is_empty() {
        // Areas the message says have nothing in force: kept so the state sees the message
        // reached them (kind `00`, as JMA codes 解除).
        let mut a = head.alert("00".into(), "発表警報・注意報はなし".into(), out.len());
        a.status = AlertStatus::Lifted;
        a.areas = none_areas;
        out.push(a);
    }
    Ok(())
}

/// `+37.5+137.2-10000/` (ISO 6709: lat, lon, height in m) → (lat, lon, depth km).
pub(crate) fn parse_coordinate(s: &str) -> (Option<f64>, Option<f64>, Option<f64>) {
    let s = s.trim().trim_end_matches('/');
    let mut nums = Vec::new();
    let mut start = None;
    for (i, ch) in s.char_indices() {
        if ch == '+' || ch == '-' {
            if let Some(st) = start {
                nums.push(&s[st..i]);
            }
            start = Some(i);
        }
    }
    if let Some(st) = start {
        nums.push(&s[st..]);
    }
    let n: Vec<Option<f64>> = nums.iter().map(|t| t.parse::<f64>().ok()).collect();
    let lat = n.first().copied().flatten();
    let lon = n.get(1).copied().flatten();
    let depth = n
        .get(2)
        .copied()
        .flatten()
        .map(|h| if h == 0.0 { 0.0 } else { -h / 1000.0 });
    (lat, lon, depth)
}

fn earthquake_details(body: &Element) -> EarthquakeDetails {
    let mut d = EarthquakeDetails::default();
    if let Some(eq) = body.child("Earthquake") {
        d.origin_time = opt_time(eq.child("OriginTime"));
        if let Some(area) = eq.at(&["Hypocenter", "Area"]) {
            let coord = area.child("Coordinate");
            let (lat, lon, depth_km) = coord
                .map(|c| parse_coordinate(c.trimmed()))
                .unwrap_or_default();
            d.hypocentre = Some(Hypocentre {
                name: area.text_at(&["Name"]).unwrap_or_default().to_owned(),
                code: area.text_at(&["Code"]).map(str::to_owned),
                lat,
                lon,
                depth_km,
                description: coord.and_then(|c| c.attr("description")).map(str::to_owned),
            });
        }
        if let Some(m) = eq.child("Magnitude") {
            d.magnitude = m.trimmed().parse::<f64>().ok().filter(|v| v.is_finite());
            d.magnitude_text = m.attr("description").map(str::to_owned);
        }
    }
    d
}

fn comments(body: &Element) -> String {
    let mut texts = Vec::new();
    if let Some(t) = body.text_at(&["Text"]) {
        texts.push(t.to_owned());
    }
    if let Some(c) = body.child("Comments") {
        for part in &c.children {
            if let Some(t) = part
                .text_at(&["Text"])
                .or_else(|| Some(part.trimmed()).filter(|t| !t.is_empty()))
            {
                texts.push(t.to_owned());
            }
        }
    }
    texts.join("\n")
}

fn with_text(head: &Head, body_text: String) -> LocalizedText {
    if body_text.is_empty() {
        LocalizedText::ja(head.headline.clone())
    } else if head.headline.is_empty() {
        LocalizedText::ja(body_text)
    } else {
        LocalizedText::ja(format!("{}\n{}", head.headline, body_text))
    }
}

fn earthquake(_doc: &XmlDoc<'_>, head: &Head, body: Option<&Element>) -> Result<Alert, AlertError> {
    let kind = match head.info_kind.as_str() {
        "震度速報" => "intensity_report",
        "震源速報" => "hypocentre_report",
        "地震情報" => "hypocentre_intensity_report",
        "長周期地震動に関する観測情報" => "long_period_report",
        _ => "earthquake_other",
    };
    let mut a = head.alert(kind.into(), head.control_title.clone(), 0);
    let Some(body) = body else { return Ok(a) };
    let mut d = earthquake_details(body);
    if let Some(obs) = body.at(&["Intensity", "Observation"]) {
        d.max_intensity = obs.text_at(&["MaxInt"]).and_then(Intensity::from_token);
        for pref in obs.children_named("Pref") {
            if let (Some(code), Some(i)) = (
                pref.text_at(&["Code"]),
                pref.text_at(&["MaxInt"]).and_then(Intensity::from_token),
            ) {
                push_intensity(
                    &mut a,
                    &mut d,
                    AreaCode::scoped("seismic-pref", code),
                    pref,
                    i,
                );
            }
            for area in pref.children_named("Area") {
                if let (Some(code), Some(i)) = (
                    area.text_at(&["Code"]),
                    area.text_at(&["MaxInt"]).and_then(Intensity::from_token),
                ) {
                    push_intensity(&mut a, &mut d, AreaCode::scoped("seismic", code), area, i);
                }
                for city in area.children_named("City") {
                    if let (Some(code), Some(i)) = (
                        city.text_at(&["Code"]),
                        city.text_at(&["MaxInt"]).and_then(Intensity::from_token),
                    ) {
                        push_intensity(&mut a, &mut d, AreaCode::new(code), city, i);
                    }
                }
            }
        }
    }
    a.original_text = with_text(head, comments(body));
    a.earthquake = Some(d);
    Ok(a)
}

fn push_intensity(
    a: &mut Alert,
    d: &mut EarthquakeDetails,
    code: AreaCode,
    el: &Element,
    i: Intensity,
) {
    if !a.areas.contains(&code) {
        a.areas.push(code.clone());
    }
    d.intensities.push(AreaIntensity {
        area: code,
        name: el.text_at(&["Name"]).unwrap_or_default().to_owned(),
        max_intensity: i,
    });
}

fn eew(_doc: &XmlDoc<'_>, head: &Head, body: Option<&Element>) -> Result<Alert, AlertError> {
    let warning = head.control_title.contains("警報");
    let kind = if warning {
        "eew_warning"
    } else {
        "eew_forecast"
    };
    let mut a = head.alert(kind.into(), head.control_title.clone(), 0);
    a.severity = if warning {
        Severity::Special
    } else {
        Severity::Information
    };
    let Some(body) = body else { return Ok(a) };
    let mut d = earthquake_details(body);
    let int_of = |e: &Element| {
        e.text_at(&["ForecastInt", "To"])
            .and_then(Intensity::from_token)
            .or_else(|| {
                e.text_at(&["ForecastInt", "From"])
                    .and_then(Intensity::from_token)
            })
    };
    if let Some(fc) = body.at(&["Intensity", "Forecast"]) {
        d.max_intensity = int_of(fc);
        for pref in fc.children_named("Pref") {
            if let Some(code) = pref.text_at(&["Code"]) {
                let code = AreaCode::scoped("eew", code);
                if !a.areas.contains(&code) {
                    a.areas.push(code);
                }
            }
            for area in pref.children_named("Area") {
                if let (Some(code), Some(i)) = (area.text_at(&["Code"]), int_of(area)) {
                    push_intensity(&mut a, &mut d, AreaCode::scoped("seismic", code), area, i);
                }
            }
        }
    }
    a.original_text = with_text(head, comments(body));
    a.earthquake = Some(d);
    Ok(a)
}

fn tsunami(
    doc: &XmlDoc<'_>,
    head: &Head,
    body: Option<&Element>,
    out: &mut Vec<Alert>,
) -> Result<(), AlertError> {
    let body = body.ok_or_else(|| doc.err("Report/Body", Some(&doc.root), "missing <Body>"))?;
    let eq = body.child("Earthquake").map(|_| earthquake_details(body));
    let text = with_text(head, comments(body));
    let mut groups: Vec<(String, String, Vec<TsunamiAreaForecast>)> = Vec::new();
    if let Some(fc) = body.at(&["Tsunami", "Forecast"]) {
        for item in fc.children_named("Item") {
            let (Some(code), Some(cat)) = (
                item.text_at(&["Area", "Code"]),
                item.text_at(&["Category", "Kind", "Code"]),
            ) else {
                return Err(doc.err(
                    "Report/Body/Tsunami/Forecast/Item",
                    Some(item),
                    "item without area or category code",
                ));
            };
            let height = item.at(&["MaxHeight", "TsunamiHeight"]);
            let f = TsunamiAreaForecast {
                area: AreaCode::scoped("tsunami", code),
                name: item
                    .text_at(&["Area", "Name"])
                    .unwrap_or_default()
                    .to_owned(),
                category_code: cat.to_owned(),
                last_category_code: item
                    .text_at(&["Category", "LastKind", "Code"])
                    .map(str::to_owned),
                first_arrival: opt_time(item.at(&["FirstHeight", "ArrivalTime"])),
                first_arrival_condition: item
                    .text_at(&["FirstHeight", "Condition"])
                    .map(str::to_owned),
                max_height_m: height
                    .and_then(|h| h.trimmed().parse::<f64>().ok())
                    .filter(|v| v.is_finite()),
                max_height_text: height
                    .and_then(|h| h.attr("description"))
                    .or_else(|| item.text_at(&["MaxHeight", "Condition"]))
                    .map(str::to_owned),
            };
            let name = item
                .text_at(&["Category", "Kind", "Name"])
                .unwrap_or_default()
                .to_owned();
            match groups.iter_mut().find(|g| g.0 == cat) {
                Some(g) => g.2.push(f),
                None => groups.push((cat.to_owned(), name, vec![f])),
            }
        }
    }
    if groups.is_empty() {
        let mut a = head.alert("tsunami_info".into(), head.control_title.clone(), out.len());
        a.original_text = text;
        a.earthquake = eq;
        out.push(a);
        return Ok(());
    }
    for (cat, name, forecasts) in groups {
        let (severity, lifts) = codes::tsunami_severity(&cat);
        let mut a = head.alert(cat, name, out.len());
        a.severity = severity;
        if lifts {
            a.status = AlertStatus::Lifted;
        }
        a.areas = forecasts.iter().map(|f| f.area.clone()).collect();
        a.tsunami = forecasts;
        a.original_text = text.clone();
        a.earthquake = eq.clone();
        out.push(a);
    }
    Ok(())
}

/// The namespace an `Areas/@codeType` puts its codes in.
fn area_scheme(code_type: &str) -> Option<&'static str> {
    match code_type {
        "気象・地震・火山情報／市町村等" | "気象情報／府県予報区・細分区域等" => {
            None
        }
        "津波予報区" => Some("tsunami"),
        "地震情報／細分区域" => Some("seismic"),
        "地震情報／都道府県等" => Some("seismic-pref"),
        "緊急地震速報／府県予報区" => Some("eew"),
        "緊急地震速報／地方予報区" => Some("eew-region"),
        "火山名" => Some("volcano"),
        "河川" => Some("river"),
        _ => Some("jma-other"),
    }
}

/// Products read from `Head/Headline/Information`: one alert per kind at the finest area level.
fn headline_information(
    doc: &XmlDoc<'_>,
    head: &Head,
    out: &mut Vec<Alert>,
) -> Result<(), AlertError> {
    let infos: Vec<&Element> = head
        .headline_el
        .as_ref()
        .map(|h| h.children_named("Information").collect())
        .unwrap_or_default();
    let has_city = |i: &&&Element| {
        i.children_named("Item").any(|it| {
            it.children_named("Areas")
                .any(|a| a.attr("codeType") == Some("気象・地震・火山情報／市町村等"))
        })
    };
    let Some(info) = infos.iter().find(has_city).or(infos.last()) else {
        return Err(doc.err(
            "Report/Head/Headline/Information",
            Some(&doc.root),
            format!(
                "not an alert product: {} ({}) has no area-coded summary",
                head.control_title, head.info_kind
            ),
        ));
    };
    let mut groups: Vec<(String, String, Vec<AreaCode>)> = Vec::new();
    for item in info.children_named("Item") {
        let mut areas = Vec::new();
        for list in item.children_named("Areas") {
            let scheme = area_scheme(list.attr("codeType").unwrap_or_default());
            for area in list.children_named("Area") {
                if let Some(code) = area.text_at(&["Code"]) {
                    areas.push(match scheme {
                        Some(s) => AreaCode::scoped(s, code),
                        None => AreaCode::new(code),
                    });
                }
            }
        }
        for kind in item.children_named("Kind") {
            let name = kind.text_at(&["Name"]).unwrap_or_default().to_owned();
            let code = kind
                .text_at(&["Code"])
                .map(str::to_owned)
                .unwrap_or_else(|| name.clone());
            match groups.iter_mut().find(|g| g.0 == code) {
                Some(g) => g.2.extend(areas.iter().cloned()),
                None => groups.push((code, name, areas.clone())),
            }
        }
    }
    for (code, name, mut areas) in groups {
        areas.dedup();
        let lifted = name.contains("解除");
        let severity = if lifted {
            Severity::Information
        } else if head.info_kind == "土砂災害警戒情報"
            || name.contains("警報") && !name.contains("特別警報")
            || name.contains("警戒")
            || name.contains("危険")
        {
            Severity::Warning
        } else if name.contains("特別警報") {
            Severity::Special
        } else if name.contains("注意") {
            Severity::Advisory
        } else {
            Severity::Information
        };
        let level = codes::level_in(&name)
            .or_else(|| codes::level_in(&head.headline))
            .or((head.info_kind == "土砂災害警戒情報" && !lifted).then_some(4));
        let mut a = head.alert(code, name, out.len());
        a.severity = severity;
        a.level = level;
        if lifted {
            a.status = AlertStatus::Lifted;
        }
        a.areas = areas;
        out.push(a);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_in_iso6709() {
        assert_eq!(
            parse_coordinate("+37.5+137.2-10000/"),
            (Some(37.5), Some(137.2), Some(10.0))
        );
        assert_eq!(
            parse_coordinate("+37.5+137.2+0/"),
            (Some(37.5), Some(137.2), Some(0.0))
        );
        assert_eq!(
            parse_coordinate("-36.1-072.6-60000/"),
            (Some(-36.1), Some(-72.6), Some(60.0))
        );
        assert_eq!(parse_coordinate(""), (None, None, None));
    }

    #[test]
    fn a_cancellation_has_no_areas_but_keeps_series_and_event() {
        let x = r#"<Report xmlns="http://xml.kishou.go.jp/jmaxml1/"><Control><Title>震源・震度に関する情報</Title><Status>通常</Status><EditorialOffice>気象庁本庁</EditorialOffice></Control>
<Head xmlns="http://xml.kishou.go.jp/jmaxml1/informationBasis1/"><Title>震源・震度情報</Title><ReportDateTime>2008-06-14T09:06:00+09:00</ReportDateTime><EventID>1</EventID><InfoType>取消</InfoType><InfoKind>地震情報</InfoKind><Headline><Text>取り消します。</Text></Headline></Head>
<Body><Text>先ほどの情報を取り消します。</Text></Body></Report>"#;
        let a = parse_jma(x.as_bytes(), "m").unwrap();
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].status, AlertStatus::Cancelled);
        assert_eq!(a[0].series, "震源・震度に関する情報|1");
        assert!(a[0].areas.is_empty());
    }

    #[test]
    fn a_missing_report_time_names_the_element() {
        let x = r#"<Report xmlns="http://xml.kishou.go.jp/jmaxml1/"><Control><Title>t</Title></Control>
<Head><InfoType>発表</InfoType></Head></Report>"#;
        let e = parse_jma(x.as_bytes(), "m.xml").unwrap_err();
        assert_eq!(e.path, "Report/Head/ReportDateTime");
        assert_eq!(e.line, Some(2));
    }
}
