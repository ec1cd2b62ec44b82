"""expert panels (issue 15): panels, members, Delphi rounds, codings

Revision ID: 0002_issue15
Revises: 0001
Create Date: 2026-12-03 12:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_issue15"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "panels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("scenario_version_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("current_round", sa.Integer(), nullable=False),
        sa.Column("result_version_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_panels_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_panels_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["result_version_id"],
            ["scenario_versions.id"],
            name=op.f("fk_panels_result_version_id_scenario_versions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["scenario_version_id"],
            ["scenario_versions.id"],
            name=op.f("fk_panels_scenario_version_id_scenario_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panels")),
    )
    op.create_index(op.f("ix_panels_org_id"), "panels", ["org_id"], unique=False)
    op.create_index(
        op.f("ix_panels_scenario_version_id"), "panels", ["scenario_version_id"], unique=False
    )
    op.create_table(
        "panel_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(length=50), nullable=False),
        sa.Column("invited_by", sa.Integer(), nullable=True),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["users.id"],
            name=op.f("fk_panel_members_invited_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["panel_id"],
            ["panels.id"],
            name=op.f("fk_panel_members_panel_id_panels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_panel_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_members")),
        sa.UniqueConstraint("panel_id", "user_id", name=op.f("uq_panel_members_panel_id")),
    )
    op.create_index(op.f("ix_panel_members_panel_id"), "panel_members", ["panel_id"], unique=False)
    op.create_index(op.f("ix_panel_members_user_id"), "panel_members", ["user_id"], unique=False)
    op.create_table(
        "panel_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["panel_id"],
            ["panels.id"],
            name=op.f("fk_panel_rounds_panel_id_panels"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_rounds")),
        sa.UniqueConstraint("panel_id", "number", name=op.f("uq_panel_rounds_panel_id")),
    )
    op.create_index(op.f("ix_panel_rounds_panel_id"), "panel_rounds", ["panel_id"], unique=False)
    op.create_table(
        "panel_codings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["panel_members.id"],
            name=op.f("fk_panel_codings_member_id_panel_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["panel_rounds.id"],
            name=op.f("fk_panel_codings_round_id_panel_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_codings")),
        sa.UniqueConstraint("round_id", "member_id", name=op.f("uq_panel_codings_round_id")),
    )
    op.create_index(
        op.f("ix_panel_codings_member_id"), "panel_codings", ["member_id"], unique=False
    )
    op.create_index(op.f("ix_panel_codings_round_id"), "panel_codings", ["round_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_panel_codings_round_id"), table_name="panel_codings")
    op.drop_index(op.f("ix_panel_codings_member_id"), table_name="panel_codings")
    op.drop_table("panel_codings")
    op.drop_index(op.f("ix_panel_rounds_panel_id"), table_name="panel_rounds")
    op.drop_table("panel_rounds")
    op.drop_index(op.f("ix_panel_members_user_id"), table_name="panel_members")
    op.drop_index(op.f("ix_panel_members_panel_id"), table_name="panel_members")
    op.drop_table("panel_members")
    op.drop_index(op.f("ix_panels_scenario_version_id"), table_name="panels")
    op.drop_index(op.f("ix_panels_org_id"), table_name="panels")
    op.drop_table("panels")
