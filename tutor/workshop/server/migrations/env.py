from alembic import context
from sqlalchemy import engine_from_config, pool

from tutor.workshop.server.tables import metadata

VERSION_TABLE = "workshop_server_version"  # not alembic_version: the server's chain is its own
config = context.config


def _configure(**kw) -> None:
    context.configure(target_metadata=metadata, render_as_batch=True, version_table=VERSION_TABLE, **kw)


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as conn:
        _configure(connection=conn)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    _configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run()
