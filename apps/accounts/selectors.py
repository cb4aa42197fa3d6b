from .models import Organisation


def organisations_visible_to(principal):
    return Organisation.objects.visible_to(principal).select_related("area", "parent")
