//! Implicit networks: the graph of links between published practices (petgraph), its connected
//! components, the neighbourhood of a practice within N hops, and its pivots (articulation points:
//! practices whose removal would split a network). Kept up to date link by link.

use std::collections::{BTreeSet, HashMap};

use petgraph::algo::articulation_points::articulation_points;
use petgraph::algo::kosaraju_scc;
use petgraph::graph::UnGraph;
use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableUnGraph};
use petgraph::visit::Bfs;

/// Deepest neighbourhood the API computes.
pub const MAX_HOPS: u32 = 6;

/// Largest network whose betweenness is computed.
pub const MAX_BETWEENNESS_NODES: usize = 2_000;

/// How central a practice is in its network.
#[derive(Debug, Clone, PartialEq)]
pub struct Central {
    pub practice: i64,
    /// Number of links.
    pub degree: usize,
    /// Share of shortest paths between other members that go through it (0–1).
    pub betweenness: Option<f64>,
}

/// Links and networks as time goes by: after each period, how many links were recorded in it and how
/// many networks existed. `links` holds `(period, practice_a, practice_b)` in chronological order.
pub fn growth<P: Clone + PartialEq>(links: &[(P, i64, i64)]) -> Vec<(P, usize, usize)> {
    let mut ids: HashMap<i64, usize> = HashMap::new();
    for (_, a, b) in links {
        for p in [a, b] {
            let n = ids.len();
            ids.entry(*p).or_insert(n);
        }
    }
    let mut sets = petgraph::unionfind::UnionFind::<usize>::new(ids.len());
    let (mut seen, mut merges) = (std::collections::HashSet::new(), 0usize);
    let mut out: Vec<(P, usize, usize)> = Vec::new();
    for (period, a, b) in links {
        let (x, y) = (ids[a], ids[b]);
        seen.insert(x);
        seen.insert(y);
        if sets.union(x, y) {
            merges += 1;
        }
        let networks = seen.len() - merges;
        match out.last_mut() {
            Some(last) if last.0 == *period => {
                last.1 += 1;
                last.2 = networks;
            }
            _ => out.push((period.clone(), 1, networks)),
        }
    }
    out
}

/// Undirected graph: nodes are practice ids, edges are link ids (parallel edges allowed: two links of
/// different kinds between the same practices).
#[derive(Debug, Clone, Default)]
pub struct LinkGraph {
    g: StableUnGraph<i64, i64>,
    // Fast hashes: two million links are added at start-up.
    nodes: foldhash::HashMap<i64, NodeIndex>,
    edges: foldhash::HashMap<i64, EdgeIndex>,
}

impl LinkGraph {
    /// Builds the graph from `(link, practice_a, practice_b)`.
    pub fn build(links: impl IntoIterator<Item = (i64, i64, i64)>) -> Self {
        // Sized once for every link (two million at scale) rather than grown by doubling.
        let links: Vec<(i64, i64, i64)> = links.into_iter().collect();
        let mut g = Self {
            g: StableUnGraph::with_capacity(0, links.len()),
            nodes: Default::default(),
            edges: foldhash::HashMap::with_capacity_and_hasher(links.len(), Default::default()),
        };
        for (l, a, b) in links {
            g.add_link(l, a, b);
        }
        g
    }

    fn node(&mut self, practice: i64) -> NodeIndex {
        if let Some(n) = self.nodes.get(&practice) {
            return *n;
        }
        let n = self.g.add_node(practice);
        self.nodes.insert(practice, n);
        n
    }

    /// Adds (or moves) link `link` between practices `a` and `b`.
    pub fn add_link(&mut self, link: i64, a: i64, b: i64) {
        self.remove_link(link);
        let (na, nb) = (self.node(a), self.node(b));
        let e = self.g.add_edge(na, nb, link);
        self.edges.insert(link, e);
    }

    /// Removes a link; practices left without any link leave the graph.
    pub fn remove_link(&mut self, link: i64) {
        let Some(e) = self.edges.remove(&link) else { return };
        let ends = self.g.edge_endpoints(e);
        self.g.remove_edge(e);
        if let Some((a, b)) = ends {
            for n in [a, b] {
                if self.g.neighbors(n).next().is_none()
                    && let Some(p) = self.g.remove_node(n)
                {
                    self.nodes.remove(&p);
                }
            }
        }
    }

    /// Number of practices that have at least one link.
    pub fn practice_count(&self) -> usize {
        self.nodes.len()
    }

    /// Number of links.
    pub fn link_count(&self) -> usize {
        self.edges.len()
    }

    /// Number of links of a practice.
    pub fn degree(&self, practice: i64) -> usize {
        self.nodes.get(&practice).map(|n| self.g.edges(*n).count()).unwrap_or(0)
    }

    /// The networks: connected components, each sorted by practice id, largest first (ties by smallest
    /// member), so that a network's id (its smallest practice id) is stable.
    pub fn components(&self) -> Vec<Vec<i64>> {
        let mut out: Vec<Vec<i64>> = kosaraju_scc(&self.g)
            .into_iter()
            .map(|c| {
                let mut ids: Vec<i64> = c.into_iter().map(|n| self.g[n]).collect();
                ids.sort_unstable();
                ids
            })
            .collect();
        out.sort_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));
        out
    }

    /// Practices within `max_hops` links of `practice` (itself at 0), by hops then id. A breadth-first
    /// walk that stops at `max_hops`, so its cost depends on the neighbourhood, not on the network
    /// (petgraph's Bfs and dijkstra have no depth limit).
    pub fn neighbourhood(&self, practice: i64, max_hops: u32) -> Vec<(i64, u32)> {
        let Some(&start) = self.nodes.get(&practice) else {
            return vec![(practice, 0)];
        };
        let mut seen: HashMap<NodeIndex, u32> = HashMap::from([(start, 0)]);
        let mut frontier = vec![start];
        for hops in 1..=max_hops {
            let mut next = Vec::new();
            for n in frontier {
                for m in self.g.neighbors(n) {
                    if let std::collections::hash_map::Entry::Vacant(v) = seen.entry(m) {
                        v.insert(hops);
                        next.push(m);
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        let mut out: Vec<(i64, u32)> = seen.into_iter().map(|(n, d)| (self.g[n], d)).collect();
        out.sort_by_key(|(id, d)| (*d, *id));
        out
    }

    /// The members of the network that holds `practice`, sorted by id (empty when it has no link): one
    /// breadth-first walk of that network rather than every component of the graph.
    pub fn network_of(&self, practice: i64) -> Vec<i64> {
        let Some(&start) = self.nodes.get(&practice) else {
            return Vec::new();
        };
        let mut walk = Bfs::new(&self.g, start);
        let mut members = Vec::new();
        while let Some(n) = walk.next(&self.g) {
            members.push(self.g[n]);
        }
        members.sort_unstable();
        members
    }

    /// The members of the network whose id is `id` (a network's id is its smallest practice id, as in
    /// [`Self::components`]); empty when `id` names no network.
    pub fn network(&self, id: i64) -> Vec<i64> {
        let members = self.network_of(id);
        if members.first() == Some(&id) {
            members
        } else {
            Vec::new()
        }
    }

    /// Degree and betweenness (normalised, rustworkx-core) of each member of one network, most
    /// central first. Betweenness costs O(V·E): it is computed only for networks of at most
    /// [`MAX_BETWEENNESS_NODES`] practices (otherwise `None`).
    pub fn centrality(&self, members: &[i64]) -> Vec<Central> {
        let mut sub: UnGraph<i64, ()> = UnGraph::default();
        let mut index: HashMap<i64, NodeIndex> = HashMap::new();
        for m in members {
            index.insert(*m, sub.add_node(*m));
        }
        // Only the members' own edges (each once, from its smaller end): walking every edge of the
        // graph for every network was quadratic on a national graph.
        for m in members {
            let Some(&node) = self.nodes.get(m) else { continue };
            for neighbour in self.g.neighbors(node) {
                let other = self.g[neighbour];
                if *m < other
                    && let (Some(x), Some(y)) = (index.get(m), index.get(&other))
                {
                    sub.add_edge(*x, *y, ());
                }
            }
        }
        let between = (members.len() <= MAX_BETWEENNESS_NODES)
            .then(|| rustworkx_core::centrality::betweenness_centrality(&sub, false, true, usize::MAX));
        let mut out: Vec<Central> = sub
            .node_indices()
            .map(|n| Central {
                practice: sub[n],
                degree: sub.edges(n).count(),
                betweenness: between.as_ref().and_then(|b| b.get(n.index()).copied().flatten()),
            })
            .collect();
        out.sort_by(|a, b| {
            b.betweenness
                .unwrap_or(0.0)
                .total_cmp(&a.betweenness.unwrap_or(0.0))
                .then(b.degree.cmp(&a.degree))
                .then(a.practice.cmp(&b.practice))
        });
        out
    }

    /// Pivots: practices whose removal would split their network.
    pub fn pivots(&self) -> BTreeSet<i64> {
        // petgraph's articulation points need compact node indices (they panic on a StableGraph with
        // holes), so run them on a compact copy.
        let mut compact: UnGraph<i64, ()> = UnGraph::with_capacity(self.nodes.len(), self.edges.len());
        let mut index: HashMap<NodeIndex, NodeIndex> = HashMap::with_capacity(self.nodes.len());
        for n in self.g.node_indices() {
            index.insert(n, compact.add_node(self.g[n]));
        }
        for e in self.g.edge_indices() {
            if let Some((a, b)) = self.g.edge_endpoints(e) {
                compact.add_edge(index[&a], index[&b], ());
            }
        }
        articulation_points(&compact).into_iter().map(|n| compact[n]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two networks drawn by hand:  1 - 2 - 3 - 4      10 - 11
    ///                                  |   |            \  /
    ///                                  5 - 6             12
    fn sample() -> LinkGraph {
        LinkGraph::build([
            (100, 1, 2),
            (101, 2, 3),
            (102, 3, 4),
            (103, 2, 5),
            (104, 5, 6),
            (105, 6, 3),
            (106, 10, 11),
            (107, 11, 12),
            (108, 12, 10),
        ])
    }

    #[test]
    fn components_match_the_drawing() {
        let g = sample();
        assert_eq!(g.components(), vec![vec![1, 2, 3, 4, 5, 6], vec![10, 11, 12]]);
        assert_eq!((g.practice_count(), g.link_count()), (9, 9));
        assert_eq!(g.degree(2), 3);
    }

    #[test]
    fn the_network_of_a_practice_is_its_component() {
        let g = sample();
        for component in g.components() {
            for member in &component {
                assert_eq!(&g.network_of(*member), &component);
            }
        }
        assert!(g.network_of(99).is_empty(), "an unlinked practice is in no network");
        assert_eq!(g.network(10), vec![10, 11, 12]);
        assert!(g.network(11).is_empty(), "a network's id is its smallest member");
    }

    #[test]
    fn pivots_are_the_articulation_points() {
        // Removing 2 cuts 1 off; removing 3 cuts 4 off; the triangle 10-11-12 has none.
        assert_eq!(sample().pivots(), BTreeSet::from([2, 3]));
    }

    #[test]
    fn neighbourhood_counts_hops() {
        let g = sample();
        assert_eq!(g.neighbourhood(1, 1), vec![(1, 0), (2, 1)]);
        assert_eq!(g.neighbourhood(1, 2), vec![(1, 0), (2, 1), (3, 2), (5, 2)]);
        assert_eq!(g.neighbourhood(1, 6).len(), 6);
        assert_eq!(g.neighbourhood(99, 3), vec![(99, 0)], "an unlinked practice is alone");
    }

    #[test]
    fn the_bridge_between_two_groups_is_the_most_central() {
        let g = sample();
        let members = &g.components()[0];
        let c = g.centrality(members);
        // 2 and 3 carry every path from 1 and 4 to the rest; 2 also has three links.
        assert_eq!(c[0].practice, 2);
        assert_eq!(c[0].degree, 3);
        assert!(c[0].betweenness.unwrap() > c.iter().find(|x| x.practice == 5).unwrap().betweenness.unwrap());
        assert_eq!(c.iter().find(|x| x.practice == 1).unwrap().betweenness, Some(0.0));
    }

    #[test]
    fn growth_counts_links_and_networks_per_period() {
        let links = [
            ("2025-09", 1, 2),
            ("2025-09", 3, 4),
            ("2025-10", 2, 3),
            ("2025-12", 5, 6),
            ("2025-12", 6, 1),
        ];
        assert_eq!(
            growth(&links),
            vec![("2025-09", 2, 2), ("2025-10", 1, 1), ("2025-12", 2, 1)]
        );
    }

    #[test]
    fn stays_correct_as_links_come_and_go() {
        let mut g = sample();
        g.add_link(109, 4, 10); // joins the two networks through 4 - 10
        assert_eq!(g.components().len(), 1);
        assert!(g.pivots().contains(&4) && g.pivots().contains(&10));
        g.remove_link(109);
        assert_eq!(g.components().len(), 2);
        g.remove_link(100); // 1 loses its only link and leaves the graph
        assert_eq!(g.components()[0], vec![2, 3, 4, 5, 6]);
        assert_eq!(g.pivots(), BTreeSet::from([3]));
        g.remove_link(100); // removing twice is harmless
        g.add_link(105, 6, 4); // moving a link
        assert_eq!(g.neighbourhood(6, 1), vec![(6, 0), (4, 1), (5, 1)]);
    }
}
