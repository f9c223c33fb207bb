#!/usr/bin/env python3
"""Small PostgreSQL helper for the test command, run with the Python that runs Odoo
(it always has psycopg2). Connection settings come from PGHOST, PGPORT, PGUSER and
PGPASSWORD (defaults: 127.0.0.1, 5432, odoo).

    pgtool.py ping            exit 0: can log in; 2: no server answers; 3: server
                              answers but the role cannot log in / is no superuser
    pgtool.py drop NAME...    drop databases (terminating their connections)
    pgtool.py copy FROM TO    create database TO as a copy of FROM (nobody may be
                              connected to FROM)
    pgtool.py list PREFIX     print the databases whose name starts with PREFIX
"""

from __future__ import annotations

import os
import sys

import psycopg2
from psycopg2 import sql


def connect(dbname: str = "postgres"):
    return psycopg2.connect(
        dbname=dbname,
        host=os.environ.get("PGHOST") or "127.0.0.1",
        port=os.environ.get("PGPORT") or "5432",
        user=os.environ.get("PGUSER") or "odoo",
        password=os.environ.get("PGPASSWORD") or None,
        connect_timeout=5,
    )


def ping() -> int:
    try:
        conn = connect()
    except psycopg2.OperationalError as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        sys.stderr.write(f"pgtool: {message}\n")
        if "Connection refused" in message or "could not connect" in message:
            return 2
        if "timeout" in message or "No such file" in message or "starting up" in message:
            return 2
        return 3
    with conn, conn.cursor() as cr:
        cr.execute("SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user")
        row = cr.fetchone()
    conn.close()
    if not row or not row[0]:
        sys.stderr.write("pgtool: the role may not create databases\n")
        return 3
    return 0


def drop(names: list[str]) -> int:
    conn = connect()
    conn.autocommit = True
    status = 0
    with conn.cursor() as cr:
        for name in names:
            cr.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            try:
                cr.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            except psycopg2.Error as exc:
                sys.stderr.write(f"pgtool: cannot drop {name}: {exc}\n")
                status = 1
    conn.close()
    return status


def copy(source: str, target: str) -> int:
    conn = connect()
    conn.autocommit = True
    with conn.cursor() as cr:
        try:
            cr.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(target), sql.Identifier(source)
                )
            )
        except psycopg2.Error as exc:
            sys.stderr.write(f"pgtool: cannot copy {source} to {target}: {exc}\n")
            return 1
        finally:
            conn.close()
    return 0


def list_prefix(prefix: str) -> int:
    conn = connect()
    with conn.cursor() as cr:
        cr.execute(
            "SELECT datname FROM pg_database WHERE starts_with(datname, %s) ORDER BY 1", [prefix]
        )
        for (name,) in cr.fetchall():
            sys.stdout.write(name + "\n")
    conn.close()
    return 0


def main(argv: list[str]) -> int:
    if not argv:
        sys.stderr.write(__doc__)
        return 64
    command, args = argv[0], argv[1:]
    if command == "ping":
        return ping()
    if command == "drop":
        return drop(args)
    if command == "copy" and len(args) == 2:
        return copy(*args)
    if command == "list" and len(args) == 1:
        return list_prefix(args[0])
    sys.stderr.write(__doc__)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
