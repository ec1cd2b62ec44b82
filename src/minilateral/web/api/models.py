"""``GET /api/models`` (from the registry) and ``GET /api/formats``."""

from __future__ import annotations

from fastapi import APIRouter

from minilateral.io import FORMATS
from minilateral.web.dependencies import AuthDep
from minilateral.web.errors import error_responses
from minilateral.web.jobs import RUN_KINDS
from minilateral.web.schemas import FormatList, ModelList
from minilateral.web.services import model_infos

router = APIRouter(prefix="/api", tags=["models"])


@router.get("/models", response_model=ModelList, responses=error_responses(401))
def models(auth: AuthDep) -> ModelList:
    """Every registered model and its options."""
    return ModelList(items=model_infos())


@router.get("/formats", response_model=FormatList, responses=error_responses(401))
def formats(auth: AuthDep) -> FormatList:
    """Import formats and run kinds this server accepts."""
    return FormatList(formats=list(FORMATS), run_kinds=list(RUN_KINDS))
