"""``arrears model``: train, list, show, export and make live collection score models."""

import getpass
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from arrears.scoring.features import taiwan_training_file
from arrears.scoring.models import ModelVersion
from arrears.scoring.scorecard import WORST_BAND, reason_description
from arrears.scoring.selectors import model_version_get, model_versions
from arrears.scoring.services import (
    ModelError,
    model_export,
    model_make_live,
    model_register,
)
from arrears.scoring.taiwan import TaiwanDataError
from arrears.scoring.training import (
    TrainingError,
    challenger_train,
    config_load,
    scorecard_train,
)

NAME_MAX = 40


class Command(BaseCommand):
    help = _("Train, list, show and make live the collection score models.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        train = actions.add_parser(
            "train", help=_("Train a scorecard on a CSV or Parquet file and register it."))
        train.add_argument("file", type=Path, metavar="FILE")
        train.add_argument("--target", required=True, metavar="COLUMN",
                           help=_("The column that says whether the account paid."))
        train.add_argument("--config", type=Path, metavar="CONFIG.json",
                           help=_("Declared numeric, categorical, excluded and protected "
                                  "columns, and the target's meaning."))
        train.add_argument("--name", metavar="NAME",
                           help=_("Version label, e.g. collect-score-v2 (default: a time "
                                  "stamp)."))
        train.add_argument("--test-size", type=float, default=0.3,
                           help=_("Share of rows held out to measure the model (default 0.3)."))
        train.add_argument("--seed", type=int, default=42,
                           help=_("Seed of the held-out split (default 42)."))
        train.add_argument("--positive-class", metavar="VALUE",
                           help=_("The target value that means the account pays."))
        train.add_argument("--default-class", metavar="VALUE",
                           help=_("The target value that means the account does not pay."))
        train.add_argument("--allow-protected", action="store_true",
                           help=_("Allow protected attributes (sex, age, marital status, "
                                  "education, ...) as features."))
        train.add_argument("--challenger", action="store_true",
                           help=_("Train a gradient-boosting challenger instead (measured, "
                                  "never live)."))
        train.add_argument("--live", action="store_true",
                           help=_("Make the new scorecard the live one."))
        actions.add_parser("list", help=_("List model versions with their metrics."))
        show = actions.add_parser("show", help=_("Show one model version and its scorecard."))
        show.add_argument("version", metavar="VERSION")
        show.add_argument("--json", action="store_true", help=_("Print it as JSON."))
        live = actions.add_parser("live", help=_("Make a scorecard the live one."))
        live.add_argument("version", metavar="VERSION")
        export = actions.add_parser("export", help=_("Write a model version to a JSON file."))
        export.add_argument("version", metavar="VERSION")
        export.add_argument("out", type=Path, metavar="OUT.json")
        taiwan = actions.add_parser(
            "taiwan-training-file",
            help=_("Write the Taiwan data set in the snapshot's features (Parquet or CSV)."))
        taiwan.add_argument("out", type=Path, metavar="OUT.parquet")
        taiwan.add_argument("--limit", type=int, metavar="N",
                            help=_("Only the first N clients."))

    def handle(self, *args, **options):
        action = options["action"].replace("-", "_")
        try:
            getattr(self, f"handle_{action}")(options)
        except (TrainingError, ModelError, TaiwanDataError) as error:
            raise CommandError(str(error)) from None

    # --- train ------------------------------------------------------------------------------

    def handle_train(self, options):
        config = config_load(options["config"]) if options["config"] else {}
        if options["positive_class"] is not None:
            config["positive_class"] = options["positive_class"]
        if options["default_class"] is not None:
            config["default_class"] = options["default_class"]
        name = options["name"] or timezone.localtime().strftime("score-%Y%m%d-%H%M%S")
        if len(name) > NAME_MAX:
            raise CommandError(_("--name must be at most %(n)d characters") % {"n": NAME_MAX})
        if options["name"] and model_version_get(name=name):
            raise CommandError(_("a model version named %(name)s already exists")
                               % {"name": name})
        if options["challenger"] and options["live"]:
            raise CommandError(_("a challenger cannot be live; leave out --live"))
        train = challenger_train if options["challenger"] else scorecard_train
        kwargs = {"name": name} if not options["challenger"] else {}
        result = train(path=options["file"], target=options["target"], config=config,
                       test_size=options["test_size"], seed=options["seed"],
                       allow_protected=options["allow_protected"], **kwargs)
        self._print_training(result)
        kind = (ModelVersion.Kind.GBM_CHALLENGER if options["challenger"]
                else ModelVersion.Kind.SCORECARD)
        system = f"cli:{getpass.getuser()}"
        version = model_register(result=result, name=name, kind=kind, system=system)
        if options["live"]:
            model_make_live(version=version, system=system)
            version.refresh_from_db()
        self.stdout.write(_("Registered model version %(name)s (%(kind)s, %(status)s).")
                          % {"name": version.name, "kind": version.get_kind_display(),
                             "status": version.get_status_display()})

    def _print_training(self, result):
        m = result.metrics
        self.stdout.write(_("File: %(path)s (%(rows)d rows, sha256 %(sha)s)")
                          % {"path": result.path, "rows": result.rows,
                             "sha": result.sha256[:16]})
        self.stdout.write(_("Target: %(rule)s; %(rate).1f %% of accounts pay")
                          % {"rule": result.pays_when, "rate": 100 * m["pay_rate"]})
        self.stdout.write(_("Features (%(n)d): %(names)s")
                          % {"n": len(result.features), "names": ", ".join(result.features)})
        for column, why in {**result.excluded, **result.dropped}.items():
            self.stdout.write(_("  left out %(column)s: %(why)s") % {"column": column,
                                                                     "why": why})
        self.stdout.write(_("Held out %(share)d %% (%(rows)d rows, seed %(seed)d):")
                          % {"share": round(100 * m["test_size"]), "rows": m["test_rows"],
                             "seed": m["split_seed"]})
        self.stdout.write(f"  AUC {m['auc']:.4f}   Gini {m['gini']:.4f}   KS {m['ks']:.4f}")

    # --- list, show, live, export -----------------------------------------------------------

    def _version(self, name: str) -> ModelVersion:
        version = model_version_get(name=name)
        if version is None:
            raise CommandError(_("no model version named %(name)s") % {"name": name})
        return version

    def handle_list(self, options):
        versions = list(model_versions())
        if not versions:
            self.stdout.write(_("No model versions yet; train one with 'arrears model train'."))
            return
        header = (f"{_('version'):<24} {_('kind'):<15} {_('status'):<10} {_('trained'):<17} "
                  f"{'AUC':>6} {'Gini':>6} {'KS':>6} {_('rows'):>9}")
        self.stdout.write(header)
        for v in versions:
            m = v.metrics
            self.stdout.write(
                f"{v.name:<24} {v.kind:<15} {v.status:<10} "
                f"{timezone.localtime(v.trained_at):%Y-%m-%d %H:%M} "
                f"{m.get('auc', 0):>6.3f} {m.get('gini', 0):>6.3f} {m.get('ks', 0):>6.3f} "
                f"{v.training_rows:>9,}")

    def handle_show(self, options):
        version = self._version(options["version"])
        if options["json"]:
            self.stdout.write(json.dumps(model_export(version=version), indent=1,
                                         ensure_ascii=False))
            return
        m = version.metrics
        live = (_("went live at %(at)s")
                % {"at": f"{timezone.localtime(version.went_live_at):%Y-%m-%d %H:%M}"}
                if version.went_live_at else _("never live"))
        lines = [
            f"{version.name}  ({version.get_kind_display()}, {version.get_status_display()})",
            _("trained by %(who)s at %(at)s") % {
                "who": version.trained_by,
                "at": f"{timezone.localtime(version.trained_at):%Y-%m-%d %H:%M}"},
            live,
            _("file %(path)s, %(rows)d rows, sha256 %(sha)s") % {
                "path": version.training_file, "rows": version.training_rows,
                "sha": version.training_sha256},
            _("target: %(rule)s") % {"rule": version.target_rule or version.target},
            _("held-out AUC %(auc).4f, Gini %(gini).4f, KS %(ks).4f (%(rows)d rows, seed "
              "%(seed)d)") % {"auc": m.get("auc", 0), "gini": m.get("gini", 0),
                             "ks": m.get("ks", 0), "rows": m.get("test_rows", 0),
                             "seed": m.get("split_seed", 0)},
        ]
        self.stdout.write("\n".join(lines))
        card = version.scorecard
        if not card:
            self.stdout.write(_("features: %(names)s") % {"names": ", ".join(version.features)})
            return
        bands = ", ".join(f"{b['band']} ≥ {b['min_score']}" for b in card["bands"])
        self.stdout.write(_("bands: %(bands)s, %(worst)s below") % {"bands": bands,
                                                                   "worst": WORST_BAND})
        for feature in card["features"]:
            self.stdout.write(f"\n{feature['name']} ({feature['kind']})")
            for label, points, reason in _bins(feature):
                shown = reason_description(reason, feature=feature["name"]) \
                    if points < feature["best_points"] else ""
                self.stdout.write(f"  {label:<34} {points:>5}  {shown}")

    def handle_live(self, options):
        version = model_make_live(version=self._version(options["version"]).name,
                                  system=f"cli:{getpass.getuser()}")
        self.stdout.write(_("%(name)s is live.") % {"name": version.name})

    def handle_export(self, options):
        document = model_export(version=self._version(options["version"]))
        options["out"].write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n",
                                  encoding="utf-8")
        self.stdout.write(_("Wrote %(path)s.") % {"path": options["out"]})

    def handle_taiwan_training_file(self, options):
        rows = taiwan_training_file(out=options["out"], limit=options["limit"])
        self.stdout.write(_("Wrote %(rows)d rows to %(path)s.") % {"rows": rows,
                                                                   "path": options["out"]})


def _bins(feature: dict) -> list[tuple[str, int, str]]:
    """(label, points, reason) of every bin of a scorecard feature, for people to read."""
    rows = []
    if feature["kind"] == "numeric":
        edges = [None, *feature["splits"], None]
        for i, points in enumerate(feature["points"]):
            low, high = edges[i], edges[i + 1]
            label = (f"< {high:g}" if low is None else f"≥ {low:g}" if high is None
                     else f"[{low:g}, {high:g})")
            rows.append((label, points, feature["reasons"][i]))
    else:
        for values, points, reason in zip(feature["categories"], feature["points"],
                                          feature["reasons"], strict=True):
            rows.append((", ".join(values), points, reason))
        rows.append((_("(other)"), feature["other_points"], feature["other_reason"]))
    rows.append((_("(missing)"), feature["missing_points"], feature["missing_reason"]))
    return rows
