#!/bin/bash
# One PostgreSQL database per service, each owned by a role of the same name: a service can
# reach only its own data (no cross-service joins). Runs once, when the data volume is empty
# (the postgres image runs /docker-entrypoint-initdb.d/* on first start).
#
#   CRM_SERVICE_DATABASES  services to create a database for (space-separated; deploy/compose.yaml
#                          lists every service in the registry: crm deploy render)
#   CRM_DB_PASSWORD        the password of every service role (development only)
#
# Extensions the services need (pg_trgm) are created by their own migrations: pg_trgm is a
# trusted extension, so the database owner may create it.
set -euo pipefail

for service in ${CRM_SERVICE_DATABASES:?set CRM_SERVICE_DATABASES}; do
    echo "creating role and database ${service}"
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
         --set=name="$service" --set=password="${CRM_DB_PASSWORD:?set CRM_DB_PASSWORD}" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name";
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
done
