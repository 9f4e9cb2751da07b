-- Before the owner row and the first version were written in one transaction (issue 10 item 3), a publish that
-- failed after creating the component row — invalid input, a crash, a dropped connection — left the name owned
-- with no versions: other teams were refused it while resolve said "not found". Those rows own nothing; free
-- the names. (Tokens and teams are untouched; versions reference components, so no version is affected.)

-- DeleteRows
DELETE FROM "components" c
WHERE NOT EXISTS (SELECT 1 FROM "versions" v WHERE v."component_id" = c."id");
