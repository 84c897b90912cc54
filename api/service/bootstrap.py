"""What every request reads, built once per process: pack, plans, profiles, store."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache, cached_property, partial
from importlib import metadata
from typing import TYPE_CHECKING

from pyproj import CRS

from api.schemas.common import LayerInfo
from api.service.compute import WORKER_MODULES, Compute
from api.service.viewport import ViewLayers
from api.service.views import layer_geojson, layer_infos
from api.settings import Settings
from geo.errors import MissingInput
from geo.hazards.house_damage import DamageProfile
from geo.hazards.intensity import AttenuationProfile
from geo.hazards.setbacks import Setbacks
from geo.incident.displacement import DisplacementProfile
from geo.response.casualties import FatalityModel
from geo.response.relief_calendar import SpringFestivals
from geo.response.working_days import WorkCalendar
from geo.roads.components import Connectivity, connectivity
from geo.supply.plan import Logistics
from layers.calendar import read_calendar, spring_festivals
from layers.graph_cache import cached_network
from layers.housing import Housing, read_housing
from layers.pack import LayerPack
from layers.pack_cache import cached_pack
from layers.plans import PlanCatalog
from layers.profiles import (
    read_attenuation,
    read_damage,
    read_displacement,
    read_fatality,
    read_needs,
    read_setbacks,
    read_speeds,
)
from layers.resources import plans_dir
from web import map_classes

if TYPE_CHECKING:
    from layers.store.store import Store
    from layers.tiles import PopulationTiles


@cache  # read from the installed metadata: about 10 ms, asked three times at start-up
def version() -> str:
    """The installed reliefgis version."""
    try:
        return metadata.version("reliefgis")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


@dataclass(frozen=True)
class Services:
    """Built at start-up and shared by all requests; nothing here is read per request."""

    settings: Settings
    pack: LayerPack
    plans: PlanCatalog
    displacement: DisplacementProfile
    setbacks: Setbacks
    logistics: Logistics
    metric_crs: CRS
    default_plan: str | None
    version: str
    store: Store | None
    attenuation: AttenuationProfile
    damage: DamageProfile
    fatality: FatalityModel
    housing: Housing | None
    calendar: WorkCalendar
    connectivity: Connectivity
    #: The Spring Festival of each year the lunar data covers (冬春救助 「春节前」).
    festivals: SpringFestivals

    @cached_property
    def layer_infos(self) -> tuple[LayerInfo, ...]:
        """The pack's layers, described once: the pack does not change while serving."""
        return tuple(layer_infos(self.pack))

    #: Workers started before these services were ready (`compute_start`), else None.
    started_compute: Compute[Services] | None = None

    @cached_property
    def compute(self) -> Compute[Services]:
        """Where assessments and printed maps run: worker processes or threads.

        A worker process reads its own services from the same settings, without the
        store: only the serving process writes. ``reliefgis serve`` forks them holding
        the services it read for itself (`api.service.compute_start`, the same settings).
        """
        compute = self.started_compute or Compute(
            None,
            processes=self.settings.compute_processes,
            load=partial(load_services, self.settings, with_store=False),
            timeout_s=self.settings.task_timeout_s,
            max_rss_bytes=self.settings.worker_max_rss_mb * 1024 * 1024,
            preload=WORKER_MODULES,
        )
        compute.bind(self)
        return compute

    @cached_property
    def _layer_texts(self) -> dict[str, str]:
        return {}

    def layer_text(self, name: str) -> str:
        """A whole layer as GeoJSON text, made once per process (the pack does not change)."""
        if name not in self._layer_texts:
            self._layer_texts[name] = layer_geojson(self.pack, name, None)
        return self._layer_texts[name]

    @cached_property
    def view_layers(self) -> ViewLayers:
        """The pack's vector layers by map view (bbox and zoom), prepared once per zoom."""
        return ViewLayers(self.pack)

    @cached_property
    def population_tiles(self) -> PopulationTiles:
        """The population raster's PNG tiles, rendered once per process and kept."""
        from layers.tiles import PopulationTiles  # start-up: rio-tiler, only for tile requests

        return PopulationTiles(
            self.pack.population,
            map_classes.POPULATION_GRID_CLASSES,
            alpha=map_classes.POPULATION_GRID_ALPHA,
        )

    def plan_id(self, requested: str | None) -> str:
        """The plan a request names, else the pack's default plan.

        Raises `MissingInput` naming ``plan`` and the plans known when the request names
        none and no plan profile covers the pack's counties.
        """
        if requested:
            return requested
        if self.default_plan is None:
            raise MissingInput(
                "plan: missing; no plan profile covers this layer pack's counties, so each "
                f"request names its plan, one of: {', '.join(self.plans.ids())}",
                field="plan",
            )
        return self.default_plan


def pack_plan(plans: PlanCatalog, pack: LayerPack) -> str | None:
    """The plan whose jurisdiction code covers every county of the pack (e.g. 1403xx → 140300).

    None when no profile's jurisdiction covers the pack: the service then runs without a
    default plan and each request names its own.
    """
    codes = [str(c) for c in pack.counties["code"]]
    matches = []
    for entry in plans:
        code = entry.plan.jurisdiction_code or ""
        # Province codes end in 0000, city codes in 00: keep the digits that name them.
        prefix = code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code
        if prefix and all(c.startswith(prefix) for c in codes):
            matches.append((len(prefix), entry.plan.id))
    return max(matches)[1] if matches else None


def open_store(settings: Settings) -> Store:
    """The incident and assessment store the settings name (SQLite by default).

    A new SQLite store is copied from an empty one kept in the cache folder
    (`layers.store.template`): no migrations to run on a fresh state folder.
    """
    from layers.store.store import Store, sqlite_url  # start-up: only the serving process

    if settings.database_url:
        return Store(settings.database_url)
    return Store(sqlite_url(settings.state_dir), template_dir=settings.cache_dir)


def serving(services: Services, compute: Compute[Services]) -> Services:
    """``services`` read without a store (for the workers) as the server's: store opened."""
    return replace(services, store=open_store(services.settings), started_compute=compute)


def load_services(
    settings: Settings,
    *,
    with_store: bool = True,
    compute: Compute[Services] | None = None,
) -> Services:
    """Read the pack, plans and profiles named by ``settings``; open the store.

    ``compute``: workers already started for them (`api.service.compute_start`).
    """
    pack = cached_pack(settings.data_dir, cache_dir=settings.cache_dir, version=version())
    plans = PlanCatalog([plans_dir(), *settings.plan_dirs])
    default_plan = settings.default_plan or pack_plan(plans, pack)
    if default_plan is not None:
        plans.get(default_plan)  # refuse an unknown default at start-up, not per request
    needs = read_needs(settings.needs)
    metric_crs = pack.metric_crs()
    logistics = Logistics(
        network=cached_network(
            pack,
            speeds=read_speeds(settings.speeds),
            metric_crs=metric_crs,
            cache_dir=settings.cache_dir,
            version=version(),
        ),
        depots=pack.depots,
        stock=pack.depot_stock,
        needs=needs,
        days=settings.planning_days or needs.planning_days,
        snap_max_m=settings.snap_max_m,
        evacuation_snap_m=settings.evacuation_snap_m,
        closing_kinds=settings.closing_kinds,
    )
    damage = read_damage()
    connected = connectivity(
        logistics.network,
        shelters=pack.shelters,
        depots=pack.depots,
        snap_max_m=settings.snap_max_m,
    )
    return Services(
        settings=settings,
        pack=pack,
        plans=plans,
        displacement=read_displacement(settings.displacement),
        setbacks=read_setbacks(settings.setbacks),
        logistics=logistics,
        metric_crs=metric_crs,
        default_plan=default_plan,
        version=version(),
        store=open_store(settings) if with_store else None,
        attenuation=read_attenuation(),
        damage=damage,
        fatality=read_fatality(),
        housing=read_housing(settings.data_dir, damage),
        calendar=read_calendar((settings.calendar_dir,) if settings.calendar_dir else ()),
        connectivity=connected,
        festivals=spring_festivals(),
        started_compute=compute,
    )
