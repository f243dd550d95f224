"""hub: staff, credentials, events, mutations, dispatch, grab rounds, follow-ups, behaviour, dead letters

Revision ID: 0002_hub
Revises: 0001
Create Date: 2026-11-26 08:37:31.585473
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_hub"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "behaviour_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("message_id", sa.String(length=128), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("match_key", sa.String(length=48), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("page_path", sa.String(length=256), server_default="", nullable=False),
        sa.Column("dwell_s", sa.Integer(), server_default="0", nullable=False),
        sa.Column("unit_id", sa.String(length=64), server_default="", nullable=False),
        sa.Column("plan_id", sa.String(length=64), server_default="", nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_behaviour_events")),
        sa.UniqueConstraint("source", "message_id", name=op.f("uq_behaviour_events_source_message_id")),
    )
    with op.batch_alter_table("behaviour_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_behaviour_events_customer_id_occurred_at"), ["customer_id", "occurred_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_behaviour_events_match_key"), ["match_key"], unique=False)

    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("body_enc", sa.LargeBinary(), nullable=False),
        sa.Column("resolved", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letters")),
    )
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dead_letters_received_at"), ["received_at"], unique=False)

    op.create_table(
        "hub_events",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_hub_events")),
    )
    op.create_table(
        "webhook_nonces",
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("source", "nonce", name=op.f("pk_webhook_nonces")),
    )
    with op.batch_alter_table("webhook_nonces", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_nonces_seen_at"), ["seen_at"], unique=False)

    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), server_default="off", nullable=False),
        sa.Column("status_at", sa.DateTime(), nullable=True),
        sa.Column("mobile_enc", sa.LargeBinary(), nullable=True),
        sa.Column("mobile_masked", sa.String(length=32), server_default="", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_staff_agency_id_agencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
    )
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_role"), ["role"], unique=False)

    op.create_table(
        "client_mutations",
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("mutation_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=48), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_client_mutations_staff_id_staff")),
        sa.PrimaryKeyConstraint("client_id", "mutation_id", name=op.f("pk_client_mutations")),
    )
    op.create_table(
        "staff_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=64), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_staff_credentials_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_credentials")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_staff_credentials_secret_hash")),
    )
    with op.batch_alter_table("staff_credentials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_credentials_revoked_at"), ["revoked_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_credentials_staff_id"), ["staff_id"], unique=False)

    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("consultant_id", sa.Integer(), nullable=True),
        sa.Column("how", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["consultant_id"], ["staff.id"], name=op.f("fk_assignments_consultant_id_staff")),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name=op.f("fk_assignments_lead_id_leads")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignments_consultant_id_at"), ["consultant_id", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignments_lead_id"), ["lead_id"], unique=False)

    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("note_enc", sa.LargeBinary(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("logged_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name=op.f("fk_follow_ups_lead_id_leads")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_follow_ups_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
    )
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_ups_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_ups_lead_id"), ["lead_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_follow_ups_staff_id_occurred_at"), ["staff_id", "occurred_at"], unique=False
        )

    op.create_table(
        "grab_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("offered", sa.JSON(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("deadline", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=12), server_default="open", nullable=False),
        sa.Column("winner_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name=op.f("fk_grab_rounds_lead_id_leads")),
        sa.ForeignKeyConstraint(["winner_id"], ["staff.id"], name=op.f("fk_grab_rounds_winner_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grab_rounds")),
    )
    with op.batch_alter_table("grab_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grab_rounds_lead_id"), ["lead_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_grab_rounds_status_deadline"), ["status", "deadline"], unique=False)

    op.create_table(
        "lead_dispatch",
        sa.Column("lead_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=12), nullable=False),
        sa.Column("consultant_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(), nullable=True),
        sa.Column("first_follow_up_at", sa.DateTime(), nullable=True),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["consultant_id"], ["staff.id"], name=op.f("fk_lead_dispatch_consultant_id_staff")),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"], name=op.f("fk_lead_dispatch_lead_id_leads")),
        sa.PrimaryKeyConstraint("lead_id", name=op.f("pk_lead_dispatch")),
    )
    with op.batch_alter_table("lead_dispatch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lead_dispatch_consultant_id"), ["consultant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lead_dispatch_state"), ["state"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("lead_dispatch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lead_dispatch_state"))
        batch_op.drop_index(batch_op.f("ix_lead_dispatch_consultant_id"))

    op.drop_table("lead_dispatch")
    with op.batch_alter_table("grab_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grab_rounds_status_deadline"))
        batch_op.drop_index(batch_op.f("ix_grab_rounds_lead_id"))

    op.drop_table("grab_rounds")
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_ups_staff_id_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_follow_ups_lead_id"))
        batch_op.drop_index(batch_op.f("ix_follow_ups_customer_id"))

    op.drop_table("follow_ups")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignments_lead_id"))
        batch_op.drop_index(batch_op.f("ix_assignments_consultant_id_at"))

    op.drop_table("assignments")
    with op.batch_alter_table("staff_credentials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_credentials_staff_id"))
        batch_op.drop_index(batch_op.f("ix_staff_credentials_revoked_at"))

    op.drop_table("staff_credentials")
    op.drop_table("client_mutations")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_role"))

    op.drop_table("staff")
    with op.batch_alter_table("webhook_nonces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_nonces_seen_at"))

    op.drop_table("webhook_nonces")
    op.drop_table("hub_events")
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dead_letters_received_at"))

    op.drop_table("dead_letters")
    with op.batch_alter_table("behaviour_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_behaviour_events_match_key"))
        batch_op.drop_index(batch_op.f("ix_behaviour_events_customer_id_occurred_at"))

    op.drop_table("behaviour_events")
