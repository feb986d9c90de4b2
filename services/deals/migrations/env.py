from crm_kit.migrations import run_env
from services.deals.models import Base

run_env(Base.metadata)
