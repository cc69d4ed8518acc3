from django.db import migrations


def load(apps, schema_editor):
    from complaints.data import reference

    reference.load(apps)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial"), ("workflow", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
