//! Alias joining: advisories that name each other (CVE ↔ GHSA ↔ PYSEC/GO/RUSTSEC...) become one
//! vulnerability that keeps every source, then KEV, EPSS and NVD are attached by CVE.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use warden_core::{Cvss, Severity};

use crate::feeds::{is_cve, KevEntry, Sink};
use crate::model::Advisory;

/// One joined vulnerability before it is written.
pub(crate) struct Group {
    pub id: String,
    pub aliases: Vec<String>,
    pub title: String,
    pub description: String,
    pub severity: Severity,
    pub severity_source: String,
    pub cvss: Vec<Cvss>,
    pub references: Vec<String>,
    pub cwes: Vec<String>,
    pub kev: Option<KevEntry>,
    pub epss: Option<(f32, f32)>,
    pub published: Option<String>,
    pub sources: Vec<String>,
    pub withdrawn: bool,
    /// `(source, advisory id)` of every advisory in it, sorted.
    pub advisories: Vec<(String, String)>,
}

struct Uf {
    parent: Vec<usize>,
}

impl Uf {
    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The smaller index wins so the result does not depend on union order.
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi] = lo;
        }
    }
}

/// Preference of a source for titles and descriptions: curated advisories first.
fn text_rank(source: &str) -> u8 {
    match source {
        "ghsa" => 0,
        s if s.starts_with("osv-") => 1,
        "rustsec-md" | "rubysec" | "friendsofphp" | "nodejs-wg" => 2,
        "ubuntu-uct" => 3,
        _ => 4,
    }
}

/// Joins advisories into vulnerabilities. Returns the groups sorted by ID and, for every
/// advisory (by its index in `sink.advisories`), the index of its group.
pub(crate) fn join(sink: &mut Sink) -> (Vec<Group>, Vec<u32>) {
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let node = |s: &str, ids: &mut HashMap<String, usize>, names: &mut Vec<String>| -> usize {
        if let Some(&i) = ids.get(s) {
            return i;
        }
        ids.insert(s.to_string(), names.len());
        names.push(s.to_string());
        names.len() - 1
    };
    // Advisories sorted first so node numbering, and with it every tie-break, is deterministic.
    sink.advisories
        .sort_by(|a, b| (&a.source, &a.id, &a.aliases).cmp(&(&b.source, &b.id, &b.aliases)));
    let mut adv_nodes: Vec<Vec<usize>> = Vec::with_capacity(sink.advisories.len());
    for a in &sink.advisories {
        let mut n = Vec::new();
        if a.id_joins {
            n.push(node(&a.id, &mut ids, &mut names));
        }
        for al in &a.aliases {
            let al = al.trim();
            if !al.is_empty() {
                n.push(node(al, &mut ids, &mut names));
            }
        }
        if n.is_empty() {
            n.push(node(&a.id, &mut ids, &mut names));
        }
        adv_nodes.push(n);
    }
    let mut uf = Uf {
        parent: (0..names.len()).collect(),
    };
    for n in &adv_nodes {
        for w in n.windows(2) {
            uf.union(w[0], w[1]);
        }
    }
    // Root → advisories and member IDs.
    let mut members: BTreeMap<usize, (BTreeSet<String>, Vec<usize>)> = BTreeMap::new();
    for (ai, n) in adv_nodes.iter().enumerate() {
        let r = uf.find(n[0]);
        let e = members.entry(r).or_default();
        e.1.push(ai);
        for &x in n {
            e.0.insert(names[x].clone());
        }
    }
    let mut groups: Vec<(Group, Vec<usize>)> = members
        .into_values()
        .map(|(idset, advs)| (make_group(idset, &advs, &sink.advisories), advs))
        .collect();
    groups.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    let mut adv_group = vec![0u32; sink.advisories.len()];
    for (gi, (_, advs)) in groups.iter().enumerate() {
        for &a in advs {
            adv_group[a] = gi as u32;
        }
    }
    let mut groups: Vec<Group> = groups.into_iter().map(|(g, _)| g).collect();
    enrich(sink, &mut groups);
    (groups, adv_group)
}

fn make_group(idset: BTreeSet<String>, advs: &[usize], all: &[Advisory]) -> Group {
    let primary = idset
        .iter()
        .find(|i| is_cve(i))
        .or_else(|| idset.iter().find(|i| i.starts_with("GHSA-")))
        .or_else(|| idset.iter().next())
        .cloned()
        .unwrap_or_default();
    let mut aliases: BTreeSet<String> = idset.into_iter().filter(|i| *i != primary).collect();
    let mut sorted: Vec<&Advisory> = advs.iter().map(|&i| &all[i]).collect();
    sorted.sort_by(|a, b| {
        (text_rank(&a.source), &a.source, &a.id).cmp(&(text_rank(&b.source), &b.source, &b.id))
    });
    let mut g = Group {
        id: primary.clone(),
        aliases: vec![],
        title: String::new(),
        description: String::new(),
        severity: Severity::Unknown,
        severity_source: String::new(),
        cvss: vec![],
        references: vec![],
        cwes: vec![],
        kev: None,
        epss: None,
        published: None,
        sources: vec![],
        withdrawn: sorted.iter().all(|a| a.withdrawn.is_some()),
        advisories: vec![],
    };
    let mut refs = BTreeSet::new();
    let mut cwes = BTreeSet::new();
    let mut sources = BTreeSet::new();
    let mut cvss: Vec<Cvss> = Vec::new();
    for a in &sorted {
        if g.title.is_empty() && !a.title.is_empty() {
            g.title = a.title.clone();
        }
        if g.description.is_empty() && !a.description.is_empty() {
            g.description = a.description.clone();
        }
        refs.extend(a.references.iter().cloned());
        cwes.extend(a.cwes.iter().cloned());
        sources.insert(a.source.clone());
        for r in &a.related {
            if *r != primary {
                aliases.insert(r.clone());
            }
        }
        if !a.id_joins && a.id != primary {
            aliases.insert(a.id.clone());
        }
        for c in &a.cvss {
            if !cvss
                .iter()
                .any(|x| x.vector == c.vector && x.source == c.source)
            {
                cvss.push(c.clone());
            }
        }
        if let Some(p) = a.published.as_deref() {
            if g.published.as_deref().is_none_or(|cur| p < cur) {
                g.published = Some(p.to_string());
            }
        }
        g.advisories.push((a.source.clone(), a.id.clone()));
    }
    // GitHub's reviewed rating first, as Trivy and Grype do for language packages; then the
    // highest CVSS; then any other vendor label (distro priorities are per match, see `Match`).
    if let Some(a) = sorted
        .iter()
        .find(|a| a.source == "ghsa" && a.severity.is_some())
    {
        g.severity = a.severity.unwrap_or_default();
        g.severity_source = "ghsa".into();
    }
    cvss.sort_by(|a, b| (&a.source, &a.vector).cmp(&(&b.source, &b.vector)));
    set_cvss_severity(&mut g, &cvss);
    if g.severity == Severity::Unknown {
        if let Some(a) = sorted
            .iter()
            .filter(|a| a.severity.is_some())
            .max_by_key(|a| a.severity)
        {
            g.severity = a.severity.unwrap_or_default();
            g.severity_source = a.source.clone();
        }
    }
    g.cvss = cvss;
    g.aliases = aliases.into_iter().collect();
    g.references = refs.into_iter().collect();
    g.cwes = cwes.into_iter().collect();
    g.sources = sources.into_iter().collect();
    g.advisories.sort();
    g.advisories.dedup();
    g
}

fn set_cvss_severity(g: &mut Group, cvss: &[Cvss]) {
    if g.severity != Severity::Unknown {
        return;
    }
    if let Some(best) = cvss.iter().max_by(|a, b| a.score.total_cmp(&b.score)) {
        g.severity = Severity::from_cvss_score(best.score);
        g.severity_source = best.source.clone();
    }
}

fn enrich(sink: &mut Sink, groups: &mut [Group]) {
    let mut by_cve: HashMap<String, Vec<usize>> = HashMap::new();
    for (gi, g) in groups.iter().enumerate() {
        for id in std::iter::once(&g.id).chain(g.aliases.iter()) {
            if is_cve(id) {
                by_cve.entry(id.clone()).or_default().push(gi);
            }
        }
    }
    let mut unjoined = [0u64; 3];
    for (cve, k) in &sink.kev {
        match by_cve.get(cve) {
            Some(gs) => gs.iter().for_each(|&g| groups[g].kev = Some(k.clone())),
            None => unjoined[0] += 1,
        }
    }
    for (cve, &(e, p)) in &sink.epss {
        match by_cve.get(cve) {
            Some(gs) => gs.iter().for_each(|&g| {
                let cur = groups[g].epss.get_or_insert((e, p));
                if e > cur.0 {
                    *cur = (e, p);
                }
            }),
            None => unjoined[1] += 1,
        }
    }
    for (cve, list) in &sink.nvd {
        match by_cve.get(cve) {
            Some(gs) => gs.iter().for_each(|&g| {
                let grp = &mut groups[g];
                for c in list {
                    if !grp
                        .cvss
                        .iter()
                        .any(|x| x.vector == c.vector && x.source == c.source)
                    {
                        grp.cvss.push(c.clone());
                    }
                }
                grp.cvss
                    .sort_by(|a, b| (&a.source, &a.vector).cmp(&(&b.source, &b.vector)));
                let cv = grp.cvss.clone();
                set_cvss_severity(grp, &cv);
                if !grp.sources.iter().any(|s| s == "nvd") {
                    grp.sources.push("nvd".into());
                    grp.sources.sort();
                }
            }),
            None => unjoined[2] += 1,
        }
    }
    for g in groups.iter_mut() {
        if g.kev.is_some() && !g.sources.iter().any(|s| s == "kev") {
            g.sources.push("kev".into());
            g.sources.sort();
        }
    }
    for (name, n) in [
        ("kev", unjoined[0]),
        ("epss", unjoined[1]),
        ("nvd", unjoined[2]),
    ] {
        if let Some(s) = sink.stats.get_mut(name) {
            s.unjoined = n;
        }
    }
}
