-- Every change of a component (publish, yank, un-yank bumps its revision) is announced on the channel
-- `hsm_registry_changes` with the component's normalized name, so every instance sharing this database can drop
-- its in-memory copy of the component document. Delivered on commit, so never for a rolled-back change.

-- CreateFunction
CREATE FUNCTION "hsm_notify_component_change"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('hsm_registry_changes', NEW."normalized_name");
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

-- CreateTrigger
CREATE TRIGGER "components_notify_change"
AFTER INSERT OR UPDATE ON "components"
FOR EACH ROW EXECUTE FUNCTION "hsm_notify_component_change"();
