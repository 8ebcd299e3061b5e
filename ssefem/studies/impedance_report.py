"""The impedance study's report: the spectra as instrument files and what they say.

``impedance.csv`` (the study's table, one row per frequency of every spectrum, headed) is what
pyimpspec's and pandas' readers load; pyimpspec splits it into one data set per spectrum.
Beside it, each spectrum (step i, cycle c) goes to ``impedance_step<i>_cycle<c>.csv`` in the
plain three-column form of impedance.py's ``readCSV`` and of most instrument exports:
frequency (Hz), Z' (Ohm), Z'' (Ohm) for the cell's area, after one '#' comment line. Each
spectrum is analysed (:mod:`ssefem.studies.spectrum_analysis`) as its step asks; the results
go to ``summary.json`` under ``impedance`` and the DRT curves to ``drt_step<i>_cycle<c>.csv``.
"""

from __future__ import annotations

from ssefem.studies.spectrum_analysis import analyse
from ssefem.studies.study import StudyReport

TABLE = "impedance"


def spectra(rows: list[dict]) -> dict[tuple[int, int], list[dict]]:
    """The table's rows by spectrum, (step, cycle) -> rows from the highest frequency."""
    out: dict[tuple[int, int], list[dict]] = {}
    for r in rows:
        out.setdefault((int(r["step"]), int(r["cycle"])), []).append(r)
    return out


def spectrum_name(step: int, cycle: int) -> str:
    return f"step{step}_cycle{cycle}"


def three_column(rows: list[dict], label: str) -> str:
    lines = [f"# ssefem impedance, {label}: frequency (Hz), Z' (Ohm), Z'' (Ohm) for the cell "
             "area (geometry.cell_area)"]
    lines += [",".join(repr(float(r[k])) for k in ("frequency_Hz", "Z_re_ohm", "Z_im_ohm"))
              for r in rows]
    return "\n".join(lines) + "\n"


def report(tables: dict[str, list[dict]], steps: dict) -> StudyReport:
    files: dict[str, str] = {}
    entries = []
    for (index, cycle), rows in spectra(tables.get(TABLE, [])).items():
        step = steps[index]
        name = spectrum_name(index, cycle)
        files[f"impedance_{name}.csv"] = three_column(rows, name.replace("_", ", "))
        f = [r["frequency_Hz"] for r in rows]
        z = [complex(r["Z_re_ohm"], r["Z_im_ohm"]) for r in rows]
        analysis, curve = analyse(f, z, label=name, kk=step.kramers_kronig,
                                  with_drt=step.drt, circuit=step.circuit)
        if curve is not None:
            tau, gamma = curve
            files[f"drt_{name}.csv"] = "tau_s,gamma_ohm\n" + "".join(
                f"{float(t)!r},{float(g)!r}\n" for t, g in zip(tau, gamma, strict=True))
        entries.append({"step": index, "cycle": cycle, "points": len(rows),
                        "f_min_Hz": min(f), "f_max_Hz": max(f), "unit": "ohm",
                        **analysis})
    return StudyReport(files, {"impedance": entries} if entries else {})
