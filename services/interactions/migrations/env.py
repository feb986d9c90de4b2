from crm_kit.migrations import run_env
from services.interactions.models import Base

run_env(Base.metadata)
